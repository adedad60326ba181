package dev.anneal.worker.model.bert;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * BERT ({@code model_type} "bert") with the base, sequence classification, QA, masked-LM, token
 * classification and LM (BertLMHeadModel; causal attention when the config says is_decoder) heads.
 */
public final class BertFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "BertModel");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "BertForSequenceClassification");
        names.put(HeadType.QUESTION_ANSWERING, "BertForQuestionAnswering");
        names.put(HeadType.MASKED_LM, "BertForMaskedLM");
        names.put(HeadType.TOKEN_CLASSIFICATION, "BertForTokenClassification");
        names.put(HeadType.CAUSAL_LM, "BertLMHeadModel");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "bert";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("bert");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("BERT has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new BertTransformer(config, head, BertSettings.bert(config));
    }
}
