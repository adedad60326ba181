package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import java.util.Map;

/**
 * BERT with one of its transformers heads: BertModel, BertForSequenceClassification,
 * BertForQuestionAnswering, BertForMaskedLM, BertForTokenClassification.
 */
public final class BertTransformer extends TransformerModel {
    private final BertSettings settings;
    private final BertBackbone bert;
    private final Linear classifier;
    private final Linear qaOutputs;
    private final BertHeads.LmPrediction lmHead;

    /** Settings are read (and validated) by the caller first, so a bad config fails before any native memory is taken. */
    BertTransformer(HfConfig config, HeadType head, BertSettings settings) {
        super(config, head);
        this.settings = settings;
        boolean pooler = head == HeadType.BASE || head == HeadType.SEQUENCE_CLASSIFICATION;
        bert = head == HeadType.BASE
                ? inline(new BertBackbone(settings, pooler))
                : module("bert", new BertBackbone(settings, pooler));
        int numLabels = config.numLabels();
        classifier = head == HeadType.SEQUENCE_CLASSIFICATION || head == HeadType.TOKEN_CLASSIFICATION
                ? module("classifier", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
        qaOutputs = head == HeadType.QUESTION_ANSWERING
                ? module("qa_outputs", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
        lmHead = head == HeadType.MASKED_LM || head == HeadType.CAUSAL_LM
                ? module("cls", new ModuleGroup()).add("predictions",
                        new BertHeads.LmPrediction(settings, bert.wordEmbeddings().weight()))
                : null;
    }

    @Override
    public String architecture() {
        return BertFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "bert";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        BertBackbone.Output out = bert.forward(batch.get("input_ids"), batch.find("attention_mask"),
                batch.find("token_type_ids"), training);
        NDArray hidden = out.lastHiddenState();
        return switch (head()) {
            case BASE -> HeadOutputs.base(out);
            case SEQUENCE_CLASSIFICATION -> HeadOutputs.sequenceClassification(config(),
                    classifier.forward(Dropout.apply(out.pooled(), settings.headDropout(), training)), batch);
            case TOKEN_CLASSIFICATION -> HeadOutputs.tokenClassification(
                    classifier.forward(Dropout.apply(hidden, settings.headDropout(), training)), batch);
            case QUESTION_ANSWERING -> HeadOutputs.questionAnswering(qaOutputs, hidden, batch);
            case MASKED_LM -> HeadOutputs.maskedLm(lmHead.forward(hidden), batch);
            case CAUSAL_LM -> {
                NDArray logits = lmHead.forward(hidden);
                NDArray loss = batch.has("labels") ? HfLosses.causalLm(logits, batch.get("labels")) : null;
                yield new ModelOutput(loss, Map.of("logits", logits));
            }
            default -> throw new IllegalStateException("BERT has no " + head() + " head");
        };
    }
}
