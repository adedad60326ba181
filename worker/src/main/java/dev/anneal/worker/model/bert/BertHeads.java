package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.WeightInit;
import java.util.function.UnaryOperator;

/** BERT's masked-LM head, {@code cls.predictions}: transform (dense, act, LayerNorm) and the decoder. */
final class BertHeads {
    private BertHeads() {
    }

    /** {@code BertLMPredictionHead}: own bias, transform, decoder tied to the word embeddings (when configured). */
    static final class LmPrediction extends NamedBlock {
        private final Linear transformDense;
        private final UnaryOperator<NDArray> activation;
        private final LayerNorm transformNorm;
        private final Linear decoder;

        LmPrediction(BertSettings s, Parameter wordEmbeddings) {
            Parameter bias = parameter("bias", new Shape(s.vocabSize()), WeightInit.ZEROS);
            ModuleGroup transform = module("transform", new ModuleGroup());
            transformDense = transform.add("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true));
            activation = Activations.byName(s.hiddenAct());
            transformNorm = transform.add("LayerNorm", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
            decoder = module("decoder", new Linear(s.hiddenSize(), s.vocabSize(),
                    s.tieWordEmbeddings() ? wordEmbeddings : null, true, bias));
        }

        NDArray forward(NDArray hidden) {
            return decoder.forward(transformNorm.forward(activation.apply(transformDense.forward(hidden))));
        }
    }
}
