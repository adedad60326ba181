package dev.anneal.worker.train;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Pins libtorch's intra-op thread count. Setting it through {@code at::set_num_threads} also turns off
 * MKL's dynamic threading, under which MKL picks a different thread count (and so a different
 * summation order) from one matmul to the next on a busy machine: two runs of the same job then drift
 * apart after some steps. Pinned, the same job gives bit-identical weights from process to process.
 */
public final class TorchThreads {
    private TorchThreads() {
    }

    public static synchronized void pin() {
        Engine.getEngine("PyTorch");
        int threads = Integer.getInteger("ai.djl.pytorch.num_threads", JniUtils.getNumThreads());
        JniUtils.setNumThreads(Math.max(1, threads));
    }
}
