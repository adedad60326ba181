package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.tensor.Scalars;
import dev.anneal.worker.torchscript.TorchScriptModule;

/**
 * Inverted dropout that is only active while training, like {@code nn.Dropout} in train mode: each element
 * is kept with probability 1 - p and scaled by 1 / (1 - p), or zeroed; autograd differentiates the product.
 *
 * <p>The keep mask compares uniform draws with 1 - p, where torch's CPU dropout draws with
 * {@code bernoulli_}. Both take libtorch's generator (seeded per step by the training loop), but uniform
 * draws cost about a third as much, and at BERT sizes dropout masks are a fifth of a training step. The
 * draws are made in float32 even for half-precision activations, whose coarse steps would bias the rate.
 */
public final class Dropout {
    private Dropout() {
    }

    public static NDArray apply(NDArray x, double probability, boolean training) {
        if (!training || probability <= 0) {
            return x;
        }
        if (probability >= 1) {
            return x.mul(x.zerosLike());
        }
        return x.mul(noise(x, probability));
    }

    /** Compiled once per JVM, on first use. */
    private static final class Compiled {
        static final TorchScriptModule MODULE = TorchScriptModule.fromResource(Dropout.class, "dropout.py", "DropoutNoise");
    }

    /** The keep mask divided by the keep probability (torch's {@code noise}), in {@code like}'s type and manager. */
    static NDArray noise(NDArray like, double probability) {
        // A detached alias: the kernel reads only shape, type and device, and needs an unnamed input.
        try (NDArray shapeOf = like.stopGradient()) {
            NDArray keep = Scalars.of(like.getManager(), DataType.FLOAT32, 1 - probability);
            return Compiled.MODULE.apply("noise", shapeOf, keep).singletonOrThrow();
        }
    }
}
