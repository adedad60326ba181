package dev.anneal.worker.model;

import dev.anneal.worker.hf.HfConfig;
import java.util.Optional;
import java.util.Set;

/** A group of architectures sharing one backbone implementation (BERT, GPT-2, ...) and its task heads. */
public interface ModelFamily {
    /** Short name, e.g. "bert". */
    String name();

    /** The config {@code model_type} values this family builds. */
    Set<String> modelTypes();

    /** The heads this family can put on its backbone. */
    Set<HeadType> heads();

    /** Builds the model (parameters without values; load a checkpoint or initialise them). */
    TransformerModel create(HfConfig config, HeadType head);

    /** The transformers class name for a head, e.g. "BertForSequenceClassification". */
    String architecture(HeadType head);

    /** The head whose transformers class is {@code architecture} (a config's architectures[0]), if any. */
    default Optional<HeadType> headFor(String architecture) {
        return heads().stream().filter(head -> architecture(head).equals(architecture)).findFirst();
    }
}
