package dev.anneal.worker.model.bart;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.NamedBlock;

/** transformers' {@code BartModel}: the shared embedding, the encoder and the decoder. */
final class BartBackbone extends NamedBlock {
    private final Embedding shared;
    private final BartStack encoder;
    private final BartStack decoder;

    BartBackbone(BartSettings s) {
        shared = module("shared", new Embedding(s.vocabSize(), s.dModel(), s.padTokenId()));
        encoder = module("encoder", new BartStack(s, shared.weight(), false));
        decoder = module("decoder", new BartStack(s, shared.weight(), true));
    }

    Embedding shared() {
        return shared;
    }

    NDArray encode(NDArray ids, NDArray mask, boolean training) {
        return encoder.forward(ids, mask, null, null, training);
    }

    NDArray decode(NDArray ids, NDArray mask, NDArray encoderHidden, NDArray encoderMask, boolean training) {
        return decoder.forward(ids, mask, encoderHidden, encoderMask, training);
    }
}
