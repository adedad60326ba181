package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
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

    /** Back-propagates a scalar loss; gradients add up in the leaves until {@link #zeroGradient} runs. */
    public static void backward(NDArray loss) {
        try (NDArray seed = loss.onesLike()) {
            JniUtils.backward((PtNDArray) loss, (PtNDArray) seed, false, false);
        }
    }

    public static void zeroGradient(NDArray parameter) {
        JniUtils.zeroGrad((PtNDArray) parameter);
    }
}
