package dev.anneal.worker.model.distilbert;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** DistilBERT ({@code model_type} "distilbert"): base, sequence classification, QA, masked LM, token classification. */
public final class DistilBertFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "DistilBertModel",
            HeadType.SEQUENCE_CLASSIFICATION, "DistilBertForSequenceClassification",
            HeadType.QUESTION_ANSWERING, "DistilBertForQuestionAnswering",
            HeadType.MASKED_LM, "DistilBertForMaskedLM",
            HeadType.TOKEN_CLASSIFICATION, "DistilBertForTokenClassification"));

    public DistilBertFamily() {
        super("distilbert", ARCHITECTURES, (config, head) -> new DistilBertTransformer(config, head, DistilBertSettings.from(config)));
    }
}
