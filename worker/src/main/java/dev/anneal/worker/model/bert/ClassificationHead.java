package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/**
 * RoBERTa's and ELECTRA's sequence classification head ({@code classifier.dense}, {@code classifier.out_proj})
 * on the first token: dropout, dense, activation (tanh for RoBERTa, gelu for ELECTRA), dropout, out_proj.
 */
final class ClassificationHead extends NamedBlock {
    private final Linear dense;
    private final Linear outProj;
    private final UnaryOperator<NDArray> activation;
    private final double dropout;

    ClassificationHead(BertSettings s, int numLabels, UnaryOperator<NDArray> activation) {
        this.activation = activation;
        this.dropout = s.headDropout();
        dense = module("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true));
        outProj = module("out_proj", new Linear(s.hiddenSize(), numLabels, true));
    }

    NDArray forward(NDArray hidden, boolean training) {
        NDArray x = Dropout.apply(hidden.get(new NDIndex(":, 0")), dropout, training);
        x = Dropout.apply(activation.apply(dense.forward(x)), dropout, training);
        return outProj.forward(x);
    }
}
