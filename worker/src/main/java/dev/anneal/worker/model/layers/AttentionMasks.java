package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Additive attention biases in the form transformers builds them. */
public final class AttentionMasks {
    /** torch.finfo(float32).min, what transformers adds to the scores of masked keys. */
    public static final float MASKED = -Float.MAX_VALUE;

    /** torch.finfo(type).min: the masked score in the compute type (float32's would be -inf in half precision). */
    public static float masked(DataType type) {
        return switch (type) {
            case FLOAT16 -> -65504f;
            case BFLOAT16 -> -3.3895314e38f;
            default -> MASKED;
        };
    }

    private AttentionMasks() {
    }

    /**
     * From a padding mask [batch, keys] of 1 (attend) and 0 (padding) to a bias [batch, 1, 1, keys] of 0
     * and {@link #MASKED}, to be added to attention scores [batch, heads, queries, keys]; null when nothing
     * is padded, as transformers' SDPA attention drops such a mask (adding zeros changes no score).
     */
    public static NDArray paddingBias(NDArray attentionMask, DataType type) {
        if (attendsEverywhere(attentionMask)) {
            return null;
        }
        NDArray keep = attentionMask.toType(type, false);
        return keep.neg().add(1f).mul(masked(type)).expandDims(1).expandDims(1);
    }

    private static boolean attendsEverywhere(NDArray attentionMask) {
        try (NDArray smallest = attentionMask.min(); NDArray value = smallest.toType(DataType.FLOAT32, false)) {
            return value.getFloat() != 0;
        }
    }

    /** A bias [1, 1, seq, seq] that hides later keys from each query (decoder self-attention). */
    public static NDArray causalBias(NDManager manager, long seq, DataType type) {
        NDArray queries = manager.arange(0, (int) seq, 1, DataType.INT64).reshape(seq, 1);
        NDArray keys = manager.arange(0, (int) seq, 1, DataType.INT64).reshape(1, seq);
        return keys.gt(queries).toType(type, false).mul(masked(type)).reshape(1, 1, seq, seq);
    }

    /** Both biases together, never below the masked value (two masks must not add up to -inf). */
    public static NDArray combine(NDArray padding, NDArray causal) {
        if (padding == null) {
            return causal;
        }
        return padding.add(causal).maximum(masked(padding.getDataType()));
    }
}
