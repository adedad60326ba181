package dev.anneal.worker.model.gpt2;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** GPT-2 ({@code model_type} "gpt2") with the base, causal-LM and sequence-classification heads. */
public final class Gpt2Family extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "GPT2Model",
            HeadType.CAUSAL_LM, "GPT2LMHeadModel",
            HeadType.SEQUENCE_CLASSIFICATION, "GPT2ForSequenceClassification"));

    public Gpt2Family() {
        super("gpt2", ARCHITECTURES, Gpt2Transformer::new);
    }
}
