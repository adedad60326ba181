package dev.anneal.worker.model.t5;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/** T5 ({@code model_type} "t5"): the bare encoder-decoder and conditional generation. */
public final class T5Family implements ModelFamily {
    static final Map<HeadType, String> ARCHITECTURES;

    static {
        Map<HeadType, String> names = new EnumMap<>(HeadType.class);
        names.put(HeadType.BASE, "T5Model");
        names.put(HeadType.SEQ2SEQ_LM, "T5ForConditionalGeneration");
        ARCHITECTURES = Collections.unmodifiableMap(names);
    }

    @Override
    public String name() {
        return "t5";
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of("t5");
    }

    @Override
    public Set<HeadType> heads() {
        return ARCHITECTURES.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = ARCHITECTURES.get(head);
        if (name == null) {
            throw new IllegalArgumentException("T5 has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return new T5Transformer(config, head);
    }
}
