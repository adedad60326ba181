package dev.anneal.worker.model.llama;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** Llama ({@code model_type} "llama") with the base, causal-LM and sequence-classification heads. */
public final class LlamaFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "LlamaModel");
        names.put(HeadType.CAUSAL_LM, "LlamaForCausalLM");
        names.put(HeadType.SEQUENCE_CLASSIFICATION, "LlamaForSequenceClassification");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "llama";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("llama");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("Llama has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new LlamaTransformer(config, head);
    }
}
