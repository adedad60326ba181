package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.tensor.Scalars;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as {@code torch.optim.AdamW}: decoupled weight decay ({@code p <- p * (1 - lr * wd)}), then the
 * bias-corrected Adam step. Updates run in place on the parameter and its moment buffers, so a step
 * allocates only a few temporaries per parameter; they are freed with the step.
 */
public final class AdamW {
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private final List<Slot> slots = new ArrayList<>();
    private long step;

    /** One parameter with its weight decay and moment buffers. */
    private record Slot(String name, NDArray weight, double weightDecay, NDArray mean, NDArray variance) {
    }

    public AdamW(double beta1, double beta2, double epsilon) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    /** Registers a trainable parameter; its moments live in {@code stateManager}. */
    public void add(String name, NDArray weight, double weightDecay, NDManager stateManager) {
        NDArray mean = stateManager.zeros(weight.getShape(), weight.getDataType());
        NDArray variance = stateManager.zeros(weight.getShape(), weight.getDataType());
        slots.add(new Slot(name, weight, weightDecay, mean, variance));
    }

    /** Applies one update with the gradients currently attached to the parameters. */
    public void step(double learningRate) {
        step++;
        if (slots.isEmpty()) {
            return;
        }
        double correction1 = 1.0 - Math.pow(beta1, step);
        double correction2Sqrt = Math.sqrt(1.0 - Math.pow(beta2, step));
        double stepSize = learningRate / correction1;
        // The step's constants as device tensors made once, not a host scalar per operation and parameter.
        try (NDManager scope = slots.get(0).mean.getManager().newSubManager()) {
            DataType type = slots.get(0).mean.getDataType();
            NDArray keepMean = Scalars.of(scope, type, beta1);
            NDArray addGrad = Scalars.of(scope, type, 1.0 - beta1);
            NDArray keepVariance = Scalars.of(scope, type, beta2);
            NDArray addSquare = Scalars.of(scope, type, 1.0 - beta2);
            NDArray correction = Scalars.of(scope, type, correction2Sqrt);
            NDArray eps = Scalars.of(scope, type, epsilon);
            NDArray size = Scalars.of(scope, type, stepSize);
            Map<Double, NDArray> decays = new HashMap<>();
            for (Slot slot : slots) {
                NDArray grad = slot.weight.getGradient();
                grad.attach(scope);
                if (slot.weightDecay != 0 && learningRate != 0) {
                    slot.weight.muli(decays.computeIfAbsent(slot.weightDecay,
                            decay -> Scalars.of(scope, type, 1.0 - learningRate * decay)));
                }
                slot.mean.muli(keepMean).addi(grad.mul(addGrad));
                slot.variance.muli(keepVariance).addi(grad.square().muli(addSquare));
                NDArray denominator = slot.variance.sqrt().divi(correction).addi(eps);
                slot.weight.subi(slot.mean.div(denominator).muli(size));
            }
        }
    }

    /** Steps taken so far (Adam's t). */
    public long steps() {
        return step;
    }

    /**
     * The optimizer state for a checkpoint, as torch's state_dict names it per parameter:
     * {@code <name>.exp_avg} and {@code <name>.exp_avg_sq} (the step count is saved beside it).
     */
    public Map<String, NDArray> state() {
        Map<String, NDArray> state = new LinkedHashMap<>();
        for (Slot slot : slots) {
            state.put(slot.name + ".exp_avg", slot.mean);
            state.put(slot.name + ".exp_avg_sq", slot.variance);
        }
        return state;
    }

    /** Restores moments and step count from a checkpoint's {@link #state()}; every parameter must be there. */
    public void restore(Map<String, NDArray> state, long steps) {
        for (Slot slot : slots) {
            copy(state, slot.name + ".exp_avg", slot.mean);
            copy(state, slot.name + ".exp_avg_sq", slot.variance);
        }
        this.step = steps;
    }

    private static void copy(Map<String, NDArray> state, String name, NDArray target) {
        NDArray source = state.get(name);
        if (source == null || !source.getShape().equals(target.getShape())) {
            throw new IllegalArgumentException("optimizer state has no " + name + " of shape " + target.getShape());
        }
        target.set(source.toType(target.getDataType(), false).toFloatArray());
    }
}
