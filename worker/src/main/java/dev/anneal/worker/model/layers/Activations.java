package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.tensor.Scalars;
import java.util.function.UnaryOperator;

/** The activation functions transformers selects by name ({@code hidden_act}, {@code activation}). */
public final class Activations {
    private static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    private Activations() {
    }

    /**
     * The function transformers' {@code ACT2FN[name]} computes: gelu is the exact erf form; gelu_new,
     * gelu_pytorch_tanh and gelu_fast are the tanh approximation.
     */
    public static UnaryOperator<NDArray> byName(String name) {
        return switch (name) {
            case "gelu", "gelu_python" -> Activations::gelu;
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Activations::geluTanh;
            case "relu" -> x -> Scalars.maximum(x, 0);
            case "silu", "swish" -> x -> x.mul(Scalars.reciprocal(x.neg().exp().add(1f)));
            case "tanh" -> NDArray::tanh;
            case "quick_gelu" -> x -> x.mul(Scalars.reciprocal(Scalars.mul(x, -1.702f).exp().add(1f)));
            default -> throw new IllegalArgumentException("unsupported activation '" + name
                    + "' (supported: gelu, gelu_python, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish, tanh, quick_gelu)");
        };
    }

    /** Exact GELU: x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), as torch.nn.functional.gelu. */
    public static NDArray gelu(NDArray x) {
        return x.getNDArrayInternal().gelu();
    }

    /** The tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    public static NDArray geluTanh(NDArray x) {
        NDArray inner = Scalars.mul(x.add(Scalars.mul(Scalars.pow(x, 3), 0.044715f)), (float) SQRT_2_OVER_PI);
        return Scalars.mul(x, 0.5f).mul(inner.tanh().add(1f));
    }
}
