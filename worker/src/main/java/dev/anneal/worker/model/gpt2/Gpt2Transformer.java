package dev.anneal.worker.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.causal.CausalLmLoss;
import dev.anneal.worker.model.causal.LastTokenPooling;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ParameterSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * GPT-2 with one of its transformers heads: GPT2Model, GPT2LMHeadModel (lm_head tied to wte unless
 * tie_word_embeddings is false) or GPT2ForSequenceClassification (a bias-free {@code score} on the last
 * non-pad token).
 */
public final class Gpt2Transformer extends TransformerModel {
    private final Gpt2Settings settings;
    private final Gpt2Backbone transformer;
    private final Linear lmHead;
    private final Linear score;

    Gpt2Transformer(HfConfig config, HeadType head) {
        super(config, head);
        settings = Gpt2Settings.from(config);
        transformer = head == HeadType.BASE
                ? inline(new Gpt2Backbone(settings))
                : module("transformer", new Gpt2Backbone(settings));
        lmHead = head == HeadType.CAUSAL_LM
                ? module("lm_head", new Linear(settings.hiddenSize(), settings.vocabSize(),
                        settings.tieWordEmbeddings() ? transformer.wordEmbeddings().weight() : null, false, null))
                : null;
        score = head == HeadType.SEQUENCE_CLASSIFICATION
                ? module("score", new Linear(settings.hiddenSize(), config.numLabels(), false))
                : null;
    }

    @Override
    public String architecture() {
        return Gpt2Family.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "transformer";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray inputIds = batch.get("input_ids");
        NDArray hidden = transformer.forward(inputIds, batch.find("attention_mask"), batch.find("position_ids"),
                batch.find("token_type_ids"), training);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray loss = null;
        switch (head()) {
            case BASE -> tensors.put("last_hidden_state", hidden);
            case CAUSAL_LM -> {
                NDArray logits = lmHead.forward(hidden);
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = CausalLmLoss.compute(logits, batch.get("labels"), batch.find(CausalLmLoss.NUM_ITEMS_IN_BATCH));
                }
            }
            case SEQUENCE_CLASSIFICATION -> {
                NDArray index = LastTokenPooling.lastNonPadIndex(inputIds, settings.padTokenId());
                NDArray logits = LastTokenPooling.select(score.forward(hidden), index);
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.sequenceClassification(config(), logits, batch.get("labels"));
                }
            }
            default -> throw new IllegalStateException("GPT-2 has no " + head() + " head");
        }
        return new ModelOutput(loss, tensors);
    }

    /**
     * transformers' GPT-2 init: as the default, except the residual projections ({@code c_proj.weight})
     * whose std is initializer_range / sqrt(2 n_layer).
     */
    @Override
    protected NDArray initialValues(String name, ParameterSpec spec, long seed) {
        NDArray values = super.initialValues(name, spec, seed);
        if (name.endsWith("c_proj.weight")) {
            NDArray scaled = values.mul((float) (1.0 / Math.sqrt(2.0 * settings.layers())));
            values.close();
            return scaled;
        }
        return values;
    }
}
