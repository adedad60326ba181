package dev.anneal.worker.model.bart;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** BART ({@code model_type} "bart"): the bare encoder-decoder and conditional generation. */
public final class BartFamily extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "BartModel",
            HeadType.SEQ2SEQ_LM, "BartForConditionalGeneration"));

    public BartFamily() {
        super("bart", ARCHITECTURES, BartTransformer::new);
    }
}
