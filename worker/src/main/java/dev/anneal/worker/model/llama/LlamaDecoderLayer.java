package dev.anneal.worker.model.llama;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.RmsNorm;

/** One pre-RMSNorm decoder layer: x + self_attn(input_layernorm(x)), then + mlp(post_attention_layernorm(.)). */
final class LlamaDecoderLayer extends NamedBlock {
    private final LlamaAttention selfAttn;
    private final LlamaMlp mlp;
    private final RmsNorm inputNorm;
    private final RmsNorm postAttentionNorm;

    LlamaDecoderLayer(LlamaSettings s) {
        // registration order is transformers' state-dict order
        selfAttn = module("self_attn", new LlamaAttention(s));
        mlp = module("mlp", new LlamaMlp(s));
        inputNorm = module("input_layernorm", new RmsNorm(s.hiddenSize(), s.rmsNormEps()));
        postAttentionNorm = module("post_attention_layernorm", new RmsNorm(s.hiddenSize(), s.rmsNormEps()));
    }

    NDArray forward(NDArray x, NDArray cos, NDArray sin, NDArray bias, boolean training) {
        NDArray attended = selfAttn.forward(inputNorm.forward(x), cos, sin, bias, training).add(x);
        return mlp.forward(postAttentionNorm.forward(attended)).add(attended);
    }
}
