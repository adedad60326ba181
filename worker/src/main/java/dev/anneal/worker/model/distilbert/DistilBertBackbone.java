package dev.anneal.worker.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.AttentionMasks;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * transformers' {@code DistilBertModel}: embeddings (word + learned position, no token types, LayerNorm)
 * and transformer.layer.N (q/k/v/out_lin attention, sa_layer_norm, ffn lin1/lin2, output_layer_norm).
 */
final class DistilBertBackbone extends NamedBlock {
    private final DistilBertSettings settings;
    private final Embedding words;
    private final Embedding positions;
    private final LayerNorm embeddingNorm;
    private final List<Layer> layers = new ArrayList<>();

    DistilBertBackbone(DistilBertSettings s) {
        settings = s;
        ModuleGroup embeddings = module("embeddings", new ModuleGroup());
        words = embeddings.add("word_embeddings", new Embedding(s.vocabSize(), s.dim(), s.padTokenId()));
        positions = embeddings.add("position_embeddings", new Embedding(s.maxPositions(), s.dim(), -1));
        embeddingNorm = embeddings.add("LayerNorm", new LayerNorm(s.dim(), DistilBertSettings.LAYER_NORM_EPS));
        ModuleGroup layerList = module("transformer", new ModuleGroup()).add("layer", new ModuleGroup());
        for (int i = 0; i < s.layers(); i++) {
            layers.add(layerList.add(Integer.toString(i), new Layer(s)));
        }
    }

    Embedding wordEmbeddings() {
        return words;
    }

    /** The last hidden state [batch, seq, dim]. */
    NDArray forward(NDArray inputIds, NDArray attentionMask, boolean training) {
        long seq = inputIds.getShape().get(1);
        if (seq > settings.maxPositions()) {
            throw new IllegalArgumentException("input length " + seq + " exceeds max_position_embeddings " + settings.maxPositions());
        }
        NDArray positionIds = inputIds.getManager().arange(0, (int) seq, 1, DataType.INT64).expandDims(0);
        NDArray hidden = embeddingNorm.forward(words.forward(inputIds).add(positions.forward(positionIds)));
        hidden = Dropout.apply(hidden, settings.dropout(), training);
        NDArray bias = attentionMask == null ? null : AttentionMasks.paddingBias(attentionMask, hidden.getDataType());
        for (Layer layer : layers) {
            hidden = layer.forward(hidden, bias, training);
        }
        return hidden;
    }

    /** {@code TransformerBlock}: post-LayerNorm self-attention and feed-forward. */
    static final class Layer extends NamedBlock {
        private final DistilBertSettings settings;
        private final Linear query;
        private final Linear key;
        private final Linear value;
        private final Linear out;
        private final LayerNorm attentionNorm;
        private final Linear lin1;
        private final Linear lin2;
        private final UnaryOperator<NDArray> activation;
        private final LayerNorm outputNorm;

        Layer(DistilBertSettings s) {
            settings = s;
            ModuleGroup attention = module("attention", new ModuleGroup());
            query = attention.add("q_lin", new Linear(s.dim(), s.dim(), true));
            key = attention.add("k_lin", new Linear(s.dim(), s.dim(), true));
            value = attention.add("v_lin", new Linear(s.dim(), s.dim(), true));
            out = attention.add("out_lin", new Linear(s.dim(), s.dim(), true));
            attentionNorm = module("sa_layer_norm", new LayerNorm(s.dim(), DistilBertSettings.LAYER_NORM_EPS));
            ModuleGroup ffn = module("ffn", new ModuleGroup());
            lin1 = ffn.add("lin1", new Linear(s.dim(), s.hiddenDim(), true));
            lin2 = ffn.add("lin2", new Linear(s.hiddenDim(), s.dim(), true));
            activation = Activations.byName(s.activation());
            outputNorm = module("output_layer_norm", new LayerNorm(s.dim(), DistilBertSettings.LAYER_NORM_EPS));
        }

        NDArray forward(NDArray x, NDArray maskBias, boolean training) {
            long batch = x.getShape().get(0);
            long seq = x.getShape().get(1);
            int heads = settings.heads();
            long headSize = settings.dim() / heads;
            NDArray q = query.forward(x).reshape(batch, seq, heads, headSize).transpose(0, 2, 1, 3);
            NDArray k = key.forward(x).reshape(batch, seq, heads, headSize).transpose(0, 2, 1, 3);
            NDArray v = value.forward(x).reshape(batch, seq, heads, headSize).transpose(0, 2, 1, 3);
            NDArray scores = Scalars.mul(q.matMul(k.transpose(0, 1, 3, 2)), 1.0 / Math.sqrt(headSize));
            if (maskBias != null) {
                scores = scores.add(maskBias);
            }
            NDArray probs = Dropout.apply(scores.softmax(-1), settings.attentionDropout(), training);
            NDArray context = probs.matMul(v).transpose(0, 2, 1, 3).reshape(batch, seq, settings.dim());
            NDArray attended = attentionNorm.forward(out.forward(context).add(x));
            NDArray ffn = Dropout.apply(lin2.forward(activation.apply(lin1.forward(attended))), settings.dropout(), training);
            return outputNorm.forward(ffn.add(attended));
        }
    }
}
