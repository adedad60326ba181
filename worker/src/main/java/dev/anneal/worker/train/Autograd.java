package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Gradient recording for the calling thread. libtorch's grad mode is per thread, so jobs on different
 * threads train independently (DJL's GradientCollector allows one collector per JVM).
 */
public final class Autograd {
    private Autograd() {
    }

    /** Runs {@code forward} with gradient recording on, restoring the thread's previous mode. */
    public static <T> T recording(Supplier<T> forward) {
        return withGradMode(true, forward);
    }

    /** Runs {@code work} with gradient recording off (optimizer updates, evaluation). */
    public static <T> T paused(Supplier<T> work) {
        return withGradMode(false, work);
    }

    public static void paused(Runnable work) {
        withGradMode(false, () -> {
            work.run();
            return null;
        });
    }

    private static <T> T withGradMode(boolean enabled, Supplier<T> work) {
        boolean previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(previous);
        }
    }

    /** Back-propagates a scalar loss; gradients add up in the leaves until {@link #zeroGradients} runs. */
    public static void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    /** Zeroes the gradients of {@code parameters} in one native call (those without one are skipped). */
    public static void zeroGradients(List<NDArray> parameters) {
        if (parameters.isEmpty()) {
            return;
        }
        try (NDManager scope = parameters.get(0).getManager().newSubManager()) {
            List<NDArray> grads = gradients(parameters, scope);
            if (!grads.isEmpty()) {
                OptimizerKernels.zero(grads);
            }
        }
    }

    /** The gradient {@code parameter} holds, as an array in {@code scope} sharing its memory; null if none yet. */
    public static NDArray gradient(NDArray parameter, NDManager scope) {
        PtNDArray grad = JniUtils.getGradient((PtNDArray) parameter);
        if (grad != null) {
            grad.attach(scope);
        }
        return grad;
    }

    /** The gradients of those {@code parameters} that have one, in order. */
    public static List<NDArray> gradients(List<NDArray> parameters, NDManager scope) {
        List<NDArray> grads = new ArrayList<>(parameters.size());
        for (NDArray parameter : parameters) {
            NDArray grad = gradient(parameter, scope);
            if (grad != null) {
                grads.add(grad);
            }
        }
        return grads;
    }
}
