package dev.anneal.worker.model.bert;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/**
 * BERT ({@code model_type} "bert") with the base, sequence classification, QA, masked-LM, token
 * classification and LM (BertLMHeadModel; causal attention when the config says is_decoder) heads.
 */
public final class BertFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "BertModel",
            HeadType.SEQUENCE_CLASSIFICATION, "BertForSequenceClassification",
            HeadType.QUESTION_ANSWERING, "BertForQuestionAnswering",
            HeadType.MASKED_LM, "BertForMaskedLM",
            HeadType.TOKEN_CLASSIFICATION, "BertForTokenClassification",
            HeadType.CAUSAL_LM, "BertLMHeadModel"));

    public BertFamily() {
        super("bert", ARCHITECTURES, (config, head) -> new BertTransformer(config, head, BertSettings.bert(config)));
    }
}
