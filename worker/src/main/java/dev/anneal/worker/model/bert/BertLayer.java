package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.function.UnaryOperator;

/**
 * One post-LayerNorm encoder layer: attention.self, attention.output (dense, LayerNorm), intermediate.dense,
 * output (dense, LayerNorm).
 */
final class BertLayer extends NamedBlock {
    private final BertSettings settings;
    private final BertSelfAttention self;
    private final Linear attentionDense;
    private final LayerNorm attentionNorm;
    private final Linear intermediate;
    private final UnaryOperator<NDArray> activation;
    private final Linear outputDense;
    private final LayerNorm outputNorm;

    BertLayer(BertSettings s) {
        settings = s;
        ModuleGroup attention = module("attention", new ModuleGroup());
        self = attention.add("self", new BertSelfAttention(s));
        ModuleGroup attentionOutput = attention.add("output", new ModuleGroup());
        attentionDense = attentionOutput.add("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true));
        attentionNorm = attentionOutput.add("LayerNorm", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
        intermediate = module("intermediate", new ModuleGroup())
                .add("dense", new Linear(s.hiddenSize(), s.intermediateSize(), true));
        activation = Activations.byName(s.hiddenAct());
        ModuleGroup output = module("output", new ModuleGroup());
        outputDense = output.add("dense", new Linear(s.intermediateSize(), s.hiddenSize(), true));
        outputNorm = output.add("LayerNorm", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
    }

    NDArray forward(NDArray x, NDArray maskBias, boolean training) {
        double p = settings.hiddenDropout();
        NDArray context = self.forward(x, maskBias, training);
        NDArray attended = attentionNorm.forward(Dropout.apply(attentionDense.forward(context), p, training).add(x));
        NDArray inner = activation.apply(intermediate.forward(attended));
        return outputNorm.forward(Dropout.apply(outputDense.forward(inner), p, training).add(attended));
    }
}
