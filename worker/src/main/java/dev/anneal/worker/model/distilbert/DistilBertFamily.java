package dev.anneal.worker.model.distilbert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** DistilBERT ({@code model_type} "distilbert"): base, sequence classification, QA, masked LM, token classification. */
public final class DistilBertFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "DistilBertModel");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "DistilBertForSequenceClassification");
        names.put(HeadType.QUESTION_ANSWERING, "DistilBertForQuestionAnswering");
        names.put(HeadType.MASKED_LM, "DistilBertForMaskedLM");
        names.put(HeadType.TOKEN_CLASSIFICATION, "DistilBertForTokenClassification");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "distilbert";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("distilbert");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("DistilBERT has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new DistilBertTransformer(config, head, DistilBertSettings.from(config));
    }
}
