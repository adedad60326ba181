package dev.anneal.worker.model.bert;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** RoBERTa ({@code model_type} "roberta"): base, sequence classification, QA, masked LM, token classification. */
public final class RobertaFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "RobertaModel",
            HeadType.SEQUENCE_CLASSIFICATION, "RobertaForSequenceClassification",
            HeadType.QUESTION_ANSWERING, "RobertaForQuestionAnswering",
            HeadType.MASKED_LM, "RobertaForMaskedLM",
            HeadType.TOKEN_CLASSIFICATION, "RobertaForTokenClassification"));

    public RobertaFamily() {
        super("roberta", ARCHITECTURES, (config, head) -> new RobertaTransformer(config, head, BertSettings.roberta(config)));
    }
}
