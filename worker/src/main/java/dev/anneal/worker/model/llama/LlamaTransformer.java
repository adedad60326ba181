package dev.anneal.worker.model.llama;

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
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Llama with one of its transformers heads: LlamaModel, LlamaForCausalLM (lm_head its own weight
 * unless tie_word_embeddings) or LlamaForSequenceClassification (a bias-free {@code score} on the last
 * non-pad token).
 */
public final class LlamaTransformer extends TransformerModel {
    private final LlamaSettings settings;
    private final LlamaBackbone model;
    private final Linear lmHead;
    private final Linear score;

    LlamaTransformer(HfConfig config, HeadType head) {
        super(config, head);
        settings = LlamaSettings.from(config);
        model = head == HeadType.BASE
                ? inline(new LlamaBackbone(settings))
                : module("model", new LlamaBackbone(settings));
        lmHead = head == HeadType.CAUSAL_LM
                ? module("lm_head", new Linear(settings.hiddenSize(), settings.vocabSize(),
                        settings.tieWordEmbeddings() ? model.embedTokens().weight() : null, false, null))
                : null;
        score = head == HeadType.SEQUENCE_CLASSIFICATION
                ? module("score", new Linear(settings.hiddenSize(), config.numLabels(), false))
                : null;
    }

    @Override
    public String architecture() {
        return LlamaFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "model";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray inputIds = batch.get("input_ids");
        NDArray hidden = model.forward(inputIds, batch.find("attention_mask"), batch.find("position_ids"), training);
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
            default -> throw new IllegalStateException("Llama has no " + head() + " head");
        }
        return new ModelOutput(loss, tensors);
    }
}
