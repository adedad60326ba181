package dev.anneal.worker.model.seq2seq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.layers.AttentionMasks;

/** The additive attention biases of encoder-decoder models, with transformers' finfo.min for masked keys. */
public final class Seq2SeqMasks {
    private Seq2SeqMasks() {
    }

    /** Padding bias [batch, 1, 1, keys] from a 0/1 mask, or null when there is no mask or it pads nothing. */
    public static NDArray padding(NDArray attentionMask, DataType type) {
        return attentionMask == null ? null : AttentionMasks.paddingBias(attentionMask, type);
    }

    /**
     * Causal bias for decoder self-attention, [1, 1, length, length] or, with a padding mask [batch, length],
     * [batch, 1, length, length]. A key is masked once (never finfo.min twice), so a row whose keys are all
     * masked stays finite and softmax gives it uniform weights, as transformers does.
     */
    public static NDArray causal(long length, NDArray attentionMask, NDManager manager, DataType type) {
        float[] lower = new float[Math.toIntExact(length * length)];
        for (int q = 0; q < length; q++) {
            for (int k = 0; k <= q; k++) {
                lower[(int) (q * length + k)] = 1f;
            }
        }
        NDArray keep = manager.create(lower, new Shape(1, 1, length, length));
        if (attentionMask != null) {
            NDArray keys = attentionMask.toType(DataType.FLOAT32, false).expandDims(1).expandDims(1);
            keep = keep.mul(keys);
        }
        return keep.neg().add(1f).mul(AttentionMasks.MASKED).toType(type, false);
    }
}
