package dev.anneal.worker.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * Arithmetic with a constant, safe under autograd.
 *
 * <p>DJL's {@code x.mul(2f)} wraps the constant in a tensor over a Java direct buffer
 * ({@code torch::from_blob}) and closes the wrapper right after the op. Autograd keeps that tensor for the
 * backward pass of {@code mul}, {@code div}, {@code pow}, {@code maximum} and {@code minimum}; once the
 * garbage collector frees the buffer, backward reads whatever memory took its place, so gradients go
 * wrong at random. These helpers use a 0-d tensor that libtorch allocates and owns instead; it is
 * attached to {@code x}'s manager and lives as long as autograd holds it.
 */
public final class Scalars {
    private Scalars() {
    }

    /** A 0-d tensor holding {@code value}, with {@code like}'s type and device, owned by libtorch. */
    public static NDArray of(NDArray like, double value) {
        return of(like.getManager(), like.getDataType(), value);
    }

    /** A 0-d tensor holding {@code value} in {@code manager} (e.g. a scope freed after one step). */
    public static NDArray of(NDManager manager, DataType type, double value) {
        return manager.full(new Shape(), (float) value, type);
    }

    public static NDArray mul(NDArray x, double value) {
        return x.mul(of(x, value));
    }

    public static NDArray div(NDArray x, double value) {
        return x.div(of(x, value));
    }

    public static NDArray pow(NDArray x, double exponent) {
        return x.pow(of(x, exponent));
    }

    public static NDArray maximum(NDArray x, double value) {
        return x.maximum(of(x, value));
    }

    /** {@code 1 / x}. */
    public static NDArray reciprocal(NDArray x) {
        return of(x, 1.0).div(x);
    }
}
