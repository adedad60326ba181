package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.List;

/**
 * {@code torch.nn.utils.clip_grad_norm_}: the total norm is the L2 norm of the per-parameter gradient
 * norms, and gradients are scaled by min(1, max / (total + 1e-6)), both computed in the gradients' type as
 * torch does, in libtorch's foreach kernels. The total is read back once per step (a device sync).
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
            List<NDArray> grads = Autograd.gradients(parameters, scope);
            if (grads.isEmpty()) {
                return 0;
            }
            return OptimizerKernels.clipGradNorm(grads, maxNorm, scope).toType(DataType.FLOAT32, false).getFloat();
        }
    }
}
