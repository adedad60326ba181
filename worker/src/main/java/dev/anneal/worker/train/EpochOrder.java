package dev.anneal.worker.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The row order of one epoch, as accelerate's seedable sampler draws it: {@code torch.randperm(n)} from a
 * generator seeded with {@code seed + epoch}, so Anneal visits rows in the order Hugging Face Trainer does.
 */
public final class EpochOrder {
    private EpochOrder() {
    }

    public static long[] permutation(long rows, long seed) {
        Engine.getInstance().setRandomSeed((int) seed);
        try (NDManager manager = NDManager.newBaseManager(); NDArray order = manager.randomPermutation(rows)) {
            return order.toLongArray();
        }
    }
}
