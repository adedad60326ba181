package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.anneal.worker.torchscript.TorchScriptModule;
import java.util.Collections;
import java.util.List;

/**
 * libtorch's multi-tensor kernels for the optimizer step, as torch.optim and torch.nn.utils call them:
 * {@code _fused_adamw_} (AdamW with {@code fused=True}), {@code _foreach_norm}/{@code _foreach_mul_} for
 * clipping and {@code _foreach_zero_}. Each is one native call for all parameters; the fused AdamW reads and
 * writes each parameter and its moments once, where separate tensor ops make about a dozen passes.
 */
final class OptimizerKernels {
    private OptimizerKernels() {
    }

    /** Compiled once per JVM, on first use; TorchScript methods are safe to call from several jobs at once. */
    private static final class Compiled {
        static final TorchScriptModule MODULE =
                TorchScriptModule.fromResource(OptimizerKernels.class, "optimizer_kernels.py", "OptimizerKernels");
    }

    /**
     * One AdamW update of {@code params} in place (with their moments), at Adam step {@code step} (a float32
     * 0-d tensor, counted from 1), all lists in the same order and of one dtype and device.
     */
    static void adamw(List<NDArray> params, List<NDArray> grads, List<NDArray> means, List<NDArray> variances,
            NDArray step, double learningRate, double beta1, double beta2, double weightDecay, double epsilon) {
        PtNDArray[] steps = Collections.nCopies(params.size(), (PtNDArray) step).toArray(PtNDArray[]::new);
        IValue[] arguments = {list(params), list(grads), list(means), list(variances), IValue.listFrom(steps),
            IValue.from(learningRate), IValue.from(beta1), IValue.from(beta2), IValue.from(weightDecay),
            IValue.from(epsilon)};
        call("adamw", arguments).close();
    }

    /**
     * {@code clip_grad_norm_}: the L2 norm of the per-gradient norms, returned as a 0-d tensor in
     * {@code manager}; when {@code maxNorm > 0} every gradient is scaled by min(1, max / (total + 1e-6)).
     */
    static NDArray clipGradNorm(List<NDArray> grads, double maxNorm, NDManager manager) {
        try (IValue total = call("clip_grad_norm", list(grads), IValue.from(maxNorm))) {
            return total.toTensor((PtNDManager) manager);
        }
    }

    /** Sets every gradient to zero in one call. */
    static void zero(List<NDArray> grads) {
        call("zero_grad", list(grads)).close();
    }

    private static IValue call(String method, IValue... arguments) {
        try {
            return Compiled.MODULE.run(method, arguments);
        } finally {
            for (IValue argument : arguments) {
                argument.close();
            }
        }
    }

    private static IValue list(List<NDArray> arrays) {
        return IValue.listFrom(arrays.stream().map(PtNDArray.class::cast).toArray(PtNDArray[]::new));
    }
}
