package dev.anneal.worker.model.bert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** ELECTRA ({@code model_type} "electra"): base, generator (masked LM), discriminator (pre-training),
 * sequence classification, QA and token classification. */
public final class ElectraFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "ElectraModel");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "ElectraForSequenceClassification");
        names.put(HeadType.QUESTION_ANSWERING, "ElectraForQuestionAnswering");
        names.put(HeadType.MASKED_LM, "ElectraForMaskedLM");
        names.put(HeadType.TOKEN_CLASSIFICATION, "ElectraForTokenClassification");
        names.put(HeadType.PRETRAINING, "ElectraForPreTraining");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "electra";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("electra");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("ELECTRA has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new ElectraTransformer(config, head, BertSettings.electra(config));
    }
}
