package dev.anneal.worker.model.causal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * How decoder-only sequence classifiers ({@code GPT2ForSequenceClassification},
 * {@code LlamaForSequenceClassification}) pick the position that scores a sequence: the rightmost
 * token that is not {@code pad_token_id} (index 0 when all are padding), or the last position when the
 * config has no pad token, which transformers only allows for a batch of one.
 */
public final class LastTokenPooling {
    private LastTokenPooling() {
    }

    /** The scoring position of each row of {@code inputIds} [batch, seq], as int64 [batch]. */
    public static NDArray lastNonPadIndex(NDArray inputIds, Integer padTokenId) {
        long batch = inputIds.getShape().get(0);
        long seq = inputIds.getShape().get(1);
        if (padTokenId == null) {
            if (batch != 1) {
                throw new IllegalArgumentException("config pad_token_id is not set, so the sequence classifier cannot find "
                        + "the last token of padded rows; set pad_token_id or pass one example at a time (batch is " + batch + ")");
            }
            return inputIds.getManager().full(new Shape(1), seq - 1, DataType.INT64);
        }
        NDArray nonPad = inputIds.neq(padTokenId.longValue()).toType(DataType.INT64, false);
        NDArray indices = inputIds.getManager().arange(0, Math.toIntExact(seq), 1, DataType.INT64).expandDims(0);
        // argmax returns the first maximum: the largest index holding a non-pad token, 0 when none
        return indices.mul(nonPad).argMax(1).toType(DataType.INT64, false);
    }

    /** Rows of {@code perPosition} [batch, seq, features] at {@code index} [batch]: [batch, features]. */
    public static NDArray select(NDArray perPosition, NDArray index) {
        long batch = perPosition.getShape().get(0);
        long features = perPosition.getShape().get(2);
        NDArray gatherIndex = index.reshape(batch, 1, 1).broadcast(new Shape(batch, 1, features));
        return perPosition.gather(gatherIndex, 1).squeeze(1);
    }
}
