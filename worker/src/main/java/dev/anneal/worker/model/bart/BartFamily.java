package dev.anneal.worker.model.bart;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** BART ({@code model_type} "bart"): the bare encoder-decoder and conditional generation. */
public final class BartFamily implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "BartModel");
        names.put(HeadType.SEQ2SEQ_LM, "BartForConditionalGeneration");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "bart";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("bart");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("BART has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new BartTransformer(config, head);
    }
}
