package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ModuleGroup;
import java.util.LinkedHashMap;
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
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray loss = null;
        switch (head()) {
            case BASE -> {
                tensors.put("last_hidden_state", out.lastHiddenState());
                tensors.put("pooler_output", out.pooled());
            }
            case SEQUENCE_CLASSIFICATION -> {
                NDArray logits = classifier.forward(Dropout.apply(out.pooled(), settings.headDropout(), training));
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.sequenceClassification(config(), logits, batch.get("labels"));
                }
            }
            case TOKEN_CLASSIFICATION -> {
                NDArray logits = classifier.forward(Dropout.apply(out.lastHiddenState(), settings.headDropout(), training));
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.crossEntropy(logits, batch.get("labels"));
                }
            }
            case QUESTION_ANSWERING -> {
                NDList split = qaOutputs.forward(out.lastHiddenState()).split(new long[] {1}, 2);
                NDArray start = split.get(0).squeeze(-1);
                NDArray end = split.get(1).squeeze(-1);
                tensors.put("start_logits", start);
                tensors.put("end_logits", end);
                if (batch.has("start_positions") && batch.has("end_positions")) {
                    loss = HfLosses.spanLoss(start, end, batch.get("start_positions"), batch.get("end_positions"));
                }
            }
            case MASKED_LM -> {
                NDArray logits = lmHead.forward(out.lastHiddenState());
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.crossEntropy(logits, batch.get("labels"));
                }
            }
            case CAUSAL_LM -> {
                NDArray logits = lmHead.forward(out.lastHiddenState());
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.causalLm(logits, batch.get("labels"));
                }
            }
            default -> throw new IllegalStateException("BERT has no " + head() + " head");
        }
        return new ModelOutput(loss, tensors);
    }
}
