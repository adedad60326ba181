package dev.anneal.worker.model;

import dev.anneal.worker.hf.HfConfig;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * A family whose heads map one to one onto transformers classes: a {@code model_type}, the table of
 * head to class name, and how to build the model. Each family is then one constructor call.
 */
public abstract class TabulatedFamily implements ModelFamily {
    /** Builds the family's model for a head that the table has. */
    @FunctionalInterface
    public interface Factory {
        TransformerModel create(HfConfig config, HeadType head);
    }

    private final String modelType;
    private final Map<HeadType, String> architectures;
    private final Factory factory;

    protected TabulatedFamily(String modelType, Map<HeadType, String> architectures, Factory factory) {
        this.modelType = modelType;
        this.architectures = architectures;
        this.factory = factory;
    }

    /** An unmodifiable head-to-class table in the order of {@link HeadType}. */
    protected static Map<HeadType, String> architectures(Map<HeadType, String> classes) {
        return Collections.unmodifiableMap(new EnumMap<>(classes));
    }

    @Override
    public String name() {
        return modelType;
    }

    @Override
    public Set<String> modelTypes() {
        return Set.of(modelType);
    }

    @Override
    public Set<HeadType> heads() {
        return architectures.keySet();
    }

    @Override
    public String architecture(HeadType head) {
        String name = architectures.get(head);
        if (name == null) {
            throw new IllegalArgumentException(modelType + " has no " + head + " head; it has " + heads());
        }
        return name;
    }

    @Override
    public TransformerModel create(HfConfig config, HeadType head) {
        architecture(head);
        return factory.create(config, head);
    }
}
