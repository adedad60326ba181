package dev.anneal.worker.model.gpt2;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.NamedBlock;

/** One pre-LayerNorm GPT-2 block: x + attn(ln_1(x)), then + mlp(ln_2(.)). */
final class Gpt2Block extends NamedBlock {
    private final LayerNorm ln1;
    private final Gpt2Attention attn;
    private final LayerNorm ln2;
    private final Gpt2Mlp mlp;

    Gpt2Block(Gpt2Settings s, int layerIndex) {
        ln1 = module("ln_1", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
        attn = module("attn", new Gpt2Attention(s, layerIndex));
        ln2 = module("ln_2", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
        mlp = module("mlp", new Gpt2Mlp(s));
    }

    NDArray forward(NDArray x, NDArray bias, boolean training) {
        NDArray attended = attn.forward(ln1.forward(x), bias, training).add(x);
        return mlp.forward(ln2.forward(attended), training).add(attended);
    }
}
