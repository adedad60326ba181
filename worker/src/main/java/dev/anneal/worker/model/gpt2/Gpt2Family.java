package dev.anneal.worker.model.gpt2;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** GPT-2 ({@code model_type} "gpt2") with the base, causal-LM and sequence-classification heads. */
public final class Gpt2Family implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "GPT2Model");
        names.put(HeadType.CAUSAL_LM, "GPT2LMHeadModel");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "GPT2ForSequenceClassification");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "gpt2";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt2");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("GPT-2 has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new Gpt2Transformer(config, head);
    }
}
