package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.tensor.Scalars;
import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: the total norm is the L2 norm of the per-parameter gradient
 * norms, and gradients are scaled by min(1, max / (total + 1e-6)), both computed in the gradients' type as
 * torch does. The total is read back once per step (a device sync), not once per parameter.
 */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** Returns the total norm before clipping; clips in place when {@code maxNorm > 0}. */
    public static double clip(List<NDArray> parameters, double maxNorm) {
        if (parameters.isEmpty()) {
            return 0;
        }
        try (NDManager scope = parameters.get(0).getManager().newSubManager()) {
            NDList norms = new NDList(parameters.size());
            for (NDArray parameter : parameters) {
                NDArray grad = parameter.getGradient();
                grad.attach(scope);
                norms.add(grad.norm());
            }
            NDArray total = NDArrays.stack(norms).norm();
            double value = total.getFloat();
            if (maxNorm > 0 && maxNorm / (value + 1e-6) < 1.0) {
                NDArray coefficient = Scalars.of(total, maxNorm).div(total.add(Scalars.of(total, 1e-6)));
                for (NDArray parameter : parameters) {
                    NDArray grad = parameter.getGradient();
                    grad.attach(scope);
                    grad.muli(coefficient);
                }
            }
            return value;
        }
    }
}
