package dev.anneal.worker.model.bert;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** ELECTRA ({@code model_type} "electra"): base, generator (masked LM), discriminator (pre-training),
 * sequence classification, QA and token classification. */
public final class ElectraFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "ElectraModel",
            HeadType.SEQUENCE_CLASSIFICATION, "ElectraForSequenceClassification",
            HeadType.QUESTION_ANSWERING, "ElectraForQuestionAnswering",
            HeadType.MASKED_LM, "ElectraForMaskedLM",
            HeadType.TOKEN_CLASSIFICATION, "ElectraForTokenClassification",
            HeadType.PRETRAINING, "ElectraForPreTraining"));

    public ElectraFamily() {
        super("electra", ARCHITECTURES, (config, head) -> new ElectraTransformer(config, head, BertSettings.electra(config)));
    }
}
