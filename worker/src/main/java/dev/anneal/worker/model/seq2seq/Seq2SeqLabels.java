package dev.anneal.worker.model.seq2seq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.HfLosses;

/** How encoder-decoder models turn labels into decoder inputs (teacher forcing). */
public final class Seq2SeqLabels {
    private Seq2SeqLabels() {
    }

    /**
     * transformers' {@code shift_tokens_right} / T5 {@code _shift_right}: the decoder start token, then
     * the ids without their last position; ignored labels (-100) become the pad token.
     */
    public static NDArray shiftRight(NDArray ids, long decoderStartTokenId, long padTokenId) {
        NDArray labels = ids.toType(DataType.INT64, false);
        long batch = labels.getShape().get(0);
        long length = labels.getShape().get(1);
        NDArray start = labels.getManager().full(new ai.djl.ndarray.types.Shape(batch, 1), decoderStartTokenId, DataType.INT64);
        NDArray shifted = length > 1 ? start.concat(labels.get(":, :-1"), 1) : start;
        NDArray ignored = shifted.eq(HfLosses.IGNORE_INDEX).toType(DataType.INT64, false);
        return shifted.mul(ignored.neg().add(1L)).add(ignored.mul(padTokenId));
    }
}
