package dev.anneal.worker.model.bert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** RoBERTa ({@code model_type} "roberta"): base, sequence classification, QA, masked LM, token classification. */
public final class RobertaFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "RobertaModel");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "RobertaForSequenceClassification");
        names.put(HeadType.QUESTION_ANSWERING, "RobertaForQuestionAnswering");
        names.put(HeadType.MASKED_LM, "RobertaForMaskedLM");
        names.put(HeadType.TOKEN_CLASSIFICATION, "RobertaForTokenClassification");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "roberta";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("roberta");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("RoBERTa has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new RobertaTransformer(config, head, BertSettings.roberta(config));
    }
}
