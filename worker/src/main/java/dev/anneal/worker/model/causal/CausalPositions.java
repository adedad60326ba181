package dev.anneal.worker.model.causal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/** Position ids of decoder-only models. */
public final class CausalPositions {
    private CausalPositions() {
    }

    /** 0 .. seq-1 as [1, seq]: what transformers uses when the caller passes no position_ids. */
    public static NDArray sequential(NDManager manager, long seq) {
        return manager.arange(0, Math.toIntExact(seq), 1, DataType.INT64).expandDims(0);
    }

    /**
     * Positions that count only real tokens, as transformers' generate derives them for left-padded
     * prompts: cumsum(mask) - 1, with padding positions set to 1.
     *
     * @param attentionMask [batch, seq] of 1 and 0
     */
    public static NDArray fromAttentionMask(NDArray attentionMask) {
        NDArray mask = attentionMask.toType(DataType.INT64, false);
        NDArray counted = mask.cumSum(1).sub(1);
        NDArray padding = mask.eq(0).toType(DataType.INT64, false);
        // counted where mask is 1, and 1 where it is 0
        return counted.mul(mask).add(padding);
    }
}
