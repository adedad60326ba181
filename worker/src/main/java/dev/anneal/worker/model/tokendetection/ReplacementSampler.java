package dev.anneal.worker.model.tokendetection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Draws one token id per position from {@code softmax(logits)}, the distribution txtai samples with
 * {@code torch.multinomial}. It uses the Gumbel-max trick (argmax of logits plus Gumbel noise is a draw
 * from the softmax) so no probabilities are normalised or copied to the host; the noise comes from
 * libtorch's generator, which the training loop reseeds from the run's seed before every step.
 */
final class ReplacementSampler {
    private ReplacementSampler() {
    }

    /** logits [..., vocab] -> sampled ids [...] (int64), without gradient. */
    static NDArray sample(NDArray logits) {
        NDArray scores = logits.stopGradient().toType(DataType.FLOAT32, false);
        // Uniform draws in (0, 1): the lower bound keeps log(u) finite.
        NDArray uniform = scores.getManager().randomUniform(Float.MIN_NORMAL, 1f, scores.getShape(), DataType.FLOAT32);
        NDArray gumbel = uniform.log().neg().log().neg();
        return scores.add(gumbel).argMax(-1).toType(DataType.INT64, false);
    }
}
