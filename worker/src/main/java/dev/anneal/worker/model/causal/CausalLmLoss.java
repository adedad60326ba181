package dev.anneal.worker.model.causal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.HfLosses;

/**
 * transformers' {@code ForCausalLMLoss}: position t predicts label t+1; labels of -100 are skipped.
 * Without {@code num_items_in_batch} the loss is the mean over counted labels; with it (what the HF
 * Trainer passes under gradient accumulation) the summed loss is divided by that count, so that
 * micro-batch losses add up to a token-weighted mean over the whole optimizer step.
 */
public final class CausalLmLoss {
    /** The batch key under which the trainer passes the label count of the whole step. */
    public static final String NUM_ITEMS_IN_BATCH = "num_items_in_batch";

    private CausalLmLoss() {
    }

    /**
     * @param logits [batch, seq, vocab]
     * @param labels [batch, seq], unshifted (usually the input ids with -100 on padding)
     * @param numItemsInBatch a scalar count, or null for the mean over this batch
     */
    public static NDArray compute(NDArray logits, NDArray labels, NDArray numItemsInBatch) {
        long[] logitShape = logits.getShape().getShape();
        long[] labelShape = labels.getShape().getShape();
        if (logitShape.length != 3 || labelShape.length != 2 || labelShape[0] != logitShape[0] || labelShape[1] != logitShape[1]) {
            throw new IllegalArgumentException("labels have shape " + labels.getShape() + ", expected [batch, seq] = ["
                    + logitShape[0] + ", " + logitShape[1] + "] to match the logits " + logits.getShape());
        }
        if (numItemsInBatch == null) {
            // transformers upcasts the logits to float32 before the loss
            return HfLosses.causalLm(logits.toType(DataType.FLOAT32, false), labels);
        }
        long vocab = logitShape[2];
        NDArray shiftedLogits = logits.get(new NDIndex(":, :-1")).reshape(-1, vocab).toType(DataType.FLOAT32, false);
        NDArray shiftedLabels = labels.get(new NDIndex(":, 1:")).reshape(-1).toType(DataType.INT64, false);
        NDArray valid = shiftedLabels.neq(HfLosses.IGNORE_INDEX);
        NDArray safeLabels = shiftedLabels.mul(valid.toType(DataType.INT64, false));
        NDArray picked = shiftedLogits.logSoftmax(-1).gather(safeLabels.expandDims(-1), -1).squeeze(-1);
        NDArray weights = valid.toType(DataType.FLOAT32, false);
        // reduction "sum", then divided by the step's count (0 when every label here is ignored)
        NDArray summed = picked.mul(weights).sum().neg();
        if (numItemsInBatch.getShape().size() != 1) {
            throw new IllegalArgumentException(NUM_ITEMS_IN_BATCH + " must be a single number, got shape "
                    + numItemsInBatch.getShape());
        }
        return summed.div(numItemsInBatch.toType(DataType.FLOAT32, false).reshape(new Shape()));
    }
}
