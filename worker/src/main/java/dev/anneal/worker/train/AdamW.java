package dev.anneal.worker.train;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.tensor.TorchOwned;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AdamW as {@code torch.optim.AdamW(fused=True)}: decoupled weight decay ({@code p <- p * (1 - lr * wd)}),
 * then the bias-corrected Adam step, in one pass over each parameter and its moment buffers.
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

    /**
     * Applies one update with the gradients currently attached to the parameters, as libtorch's fused
     * AdamW kernel: one call per group of parameters sharing weight decay, dtype and device. Parameters
     * without a gradient are left alone, as torch.optim skips them.
     */
    public void step(double learningRate) {
        step++;
        if (slots.isEmpty()) {
            return;
        }
        try (NDManager scope = slots.get(0).mean.getManager().newSubManager()) {
            Map<Group, List<Update>> groups = new LinkedHashMap<>();
            for (Slot slot : slots) {
                NDArray grad = Autograd.gradient(slot.weight, scope);
                if (grad != null) {
                    Group group = new Group(slot.weightDecay, slot.weight.getDataType(), slot.weight.getDevice());
                    groups.computeIfAbsent(group, g -> new ArrayList<>()).add(new Update(slot, grad));
                }
            }
            // torch.optim keeps the step count as a float32 tensor beside each parameter; one serves all here.
            NDArray count = scope.full(new Shape(), step, DataType.FLOAT32).toDevice(slots.get(0).weight.getDevice(), false);
            groups.forEach((group, updates) -> OptimizerKernels.adamw(
                    updates.stream().map(u -> u.slot.weight).toList(), updates.stream().map(Update::grad).toList(),
                    updates.stream().map(u -> u.slot.mean).toList(), updates.stream().map(u -> u.slot.variance).toList(),
                    count, learningRate, beta1, beta2, group.weightDecay, epsilon));
        }
    }

    /** A parameter with the gradient it is updated with. */
    private record Update(Slot slot, NDArray grad) {
    }

    /** Parameters the fused kernel can update in one call. */
    private record Group(double weightDecay, DataType type, Device device) {
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
        TorchOwned.copyInto(target, source);
    }
}
