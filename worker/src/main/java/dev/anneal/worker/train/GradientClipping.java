package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** {@code torch.nn.utils.clip_grad_norm_}: scales all gradients by min(1, max / (total L2 norm + 1e-6)). */
public final class GradientClipping {
    private GradientClipping() {
    }

    /** Returns the total norm before clipping; clips in place when {@code maxNorm > 0}. */
    public static double clip(List<NDArray> parameters, double maxNorm) {
        double sumOfSquares = 0;
        for (NDArray parameter : parameters) {
            try (NDArray grad = parameter.getGradient(); NDArray squares = grad.square(); NDArray sum = squares.sum()) {
                sumOfSquares += sum.getFloat();
            }
        }
        double total = Math.sqrt(sumOfSquares);
        if (maxNorm > 0) {
            double coefficient = maxNorm / (total + 1e-6);
            if (coefficient < 1.0) {
                for (NDArray parameter : parameters) {
                    try (NDArray grad = parameter.getGradient()) {
                        grad.muli(coefficient);
                    }
                }
            }
        }
        return total;
    }
}
