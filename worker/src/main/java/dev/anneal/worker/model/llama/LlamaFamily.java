package dev.anneal.worker.model.llama;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** Llama ({@code model_type} "llama") with the base, causal-LM and sequence-classification heads. */
public final class LlamaFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "LlamaModel",
            HeadType.CAUSAL_LM, "LlamaForCausalLM",
            HeadType.SEQUENCE_CLASSIFICATION, "LlamaForSequenceClassification"));

    public LlamaFamily() {
        super("llama", ARCHITECTURES, LlamaTransformer::new);
    }
}
