package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;

/** Inverted dropout that is only active while training, like {@code nn.Dropout} in train mode. */
public final class Dropout {
    private Dropout() {
    }

    public static NDArray apply(NDArray x, double probability, boolean training) {
        if (!training || probability <= 0) {
            return x;
        }
        return x.getNDArrayInternal().dropout(x, (float) probability, true).singletonOrThrow();
    }
}
