package dev.anneal.worker.model.t5;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TabulatedFamily;
import java.util.Map;

/** T5 ({@code model_type} "t5"): the bare encoder-decoder and conditional generation. */
public final class T5Family extends TabulatedFamily {
    static final Map<HeadType, String> ARCHITECTURES = architectures(Map.of(
            HeadType.BASE, "T5Model",
            HeadType.SEQ2SEQ_LM, "T5ForConditionalGeneration"));

    public T5Family() {
        super("t5", ARCHITECTURES, T5Transformer::new);
    }
}
