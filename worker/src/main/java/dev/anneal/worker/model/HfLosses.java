package dev.anneal.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.tensor.Scalars;

/** The losses transformers' heads compute, with the same reductions and ignore rules. */
public final class HfLosses {
    /** Label value that the losses skip, as PyTorch's CrossEntropyLoss default ignore_index. */
    public static final int IGNORE_INDEX = -100;

    private HfLosses() {
    }

    /**
     * Cross entropy of {@code logits} [..., classes] against integer {@code labels} [...], averaged over
     * the labels that are not {@code ignoreIndex} (NaN when every label is ignored, as in PyTorch). Half
     * precision logits are upcast to float32 first, as transformers' loss functions do.
     */
    public static NDArray crossEntropy(NDArray logits, NDArray labels, long ignoreIndex) {
        long classes = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray flatLogits = logits.reshape(-1, classes);
        if (flatLogits.getDataType() != DataType.FLOAT32 && flatLogits.getDataType() != DataType.FLOAT64) {
            flatLogits = flatLogits.toType(DataType.FLOAT32, false);
        }
        NDArray flatLabels = labels.reshape(-1).toType(DataType.INT64, false);
        NDArray valid = flatLabels.neq(ignoreIndex);
        NDArray safeLabels = flatLabels.mul(valid.toType(DataType.INT64, false));
        NDArray logProbs = flatLogits.logSoftmax(-1);
        NDArray picked = logProbs.gather(safeLabels.expandDims(-1), -1).squeeze(-1);
        NDArray weights = valid.toType(picked.getDataType(), false);
        // A batch whose labels are all ignored (an MLM batch with nothing masked) gives loss 0 and zero
        // gradients; torch's 0/0 gives NaN, whose gradient would poison every weight through AdamW.
        return picked.mul(weights).sum().neg().div(weights.sum().maximum(1f));
    }

    public static NDArray crossEntropy(NDArray logits, NDArray labels) {
        return crossEntropy(logits, labels, IGNORE_INDEX);
    }

    /**
     * The loss of {@code *ForQuestionAnswering}: positions are clamped to [0, seq_len] and seq_len is
     * ignored (answers outside the window), then the start and end cross entropies are averaged.
     */
    public static NDArray spanLoss(NDArray startLogits, NDArray endLogits, NDArray startPositions, NDArray endPositions) {
        long ignored = startLogits.getShape().get(1);
        NDArray start = startPositions.reshape(-1).toType(DataType.INT64, false).clip(0, ignored);
        NDArray end = endPositions.reshape(-1).toType(DataType.INT64, false).clip(0, ignored);
        NDArray summed = crossEntropy(startLogits, start, ignored).add(crossEntropy(endLogits, end, ignored));
        return Scalars.div(summed, 2);
    }

    /**
     * transformers' causal LM loss: position t predicts label t+1 (the last position predicts nothing),
     * cross entropy averaged over labels that are not -100.
     */
    public static NDArray causalLm(NDArray logits, NDArray labels) {
        long seq = logits.getShape().get(1);
        if (seq < 2) {
            throw new IllegalArgumentException("a causal LM loss needs at least 2 positions, got " + seq);
        }
        NDArray shiftedLogits = logits.get(":, :-1, :");
        NDArray shiftedLabels = labels.get(":, 1:");
        return crossEntropy(shiftedLogits, shiftedLabels);
    }

    /** Mean binary cross entropy with logits, computed stably: max(x,0) - x*y + log(1 + exp(-|x|)). */
    public static NDArray binaryCrossEntropyWithLogits(NDArray logits, NDArray targets) {
        NDArray y = targets.toType(logits.getDataType(), false);
        return Scalars.maximum(logits, 0).sub(logits.mul(y)).add(logits.abs().neg().exp().add(1f).log()).mean();
    }

    /** Mean squared error. */
    public static NDArray meanSquaredError(NDArray predictions, NDArray targets) {
        return predictions.sub(targets.toType(predictions.getDataType(), false)).square().mean();
    }

    /**
     * The loss of {@code *ForSequenceClassification}: problem_type regression (MSE, squeezed when
     * num_labels is 1), single_label_classification (cross entropy) or multi_label_classification (BCE
     * with logits). Without problem_type it is inferred as transformers does: one label is regression,
     * integer labels are single-label, anything else multi-label.
     */
    public static NDArray sequenceClassification(HfConfig config, NDArray logits, NDArray labels) {
        int numLabels = (int) logits.getShape().get(logits.getShape().dimension() - 1);
        String problem = problemType(config, numLabels, labels);
        switch (problem) {
            case "regression":
                if (numLabels == 1) {
                    return meanSquaredError(logits.reshape(-1), labels.reshape(-1));
                }
                return meanSquaredError(logits, labels);
            case "single_label_classification":
                return crossEntropy(logits.reshape(-1, numLabels), labels.reshape(-1));
            case "multi_label_classification":
                return binaryCrossEntropyWithLogits(logits, labels);
            default:
                throw new IllegalArgumentException("config problem_type '" + problem
                        + "' is not regression, single_label_classification or multi_label_classification");
        }
    }

    /** problem_type from the config, or inferred from the labels the way transformers does. */
    public static String problemType(HfConfig config, int numLabels, NDArray labels) {
        String configured = config.getString("problem_type", null);
        if (configured != null) {
            return configured;
        }
        if (numLabels == 1) {
            return "regression";
        }
        DataType type = labels.getDataType();
        return type == DataType.INT64 || type == DataType.INT32 ? "single_label_classification" : "multi_label_classification";
    }
}
