package dev.anneal.worker.model.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * Default rotary position embedding (RoPE) as transformers' {@code LlamaRotaryEmbedding}: inverse
 * frequencies theta^(-2i/d) and the angles position * frequency computed in float32 with the same
 * operations, the halves of each head rotated ({@code rotate_half}). It has no parameters.
 */
final class RotaryEmbedding {
    private final int headDim;
    private final float theta;

    RotaryEmbedding(int headDim, double theta) {
        this.headDim = headDim;
        this.theta = (float) theta;
    }

    /** cos and sin of the angles, each [batch or 1, seq, headDim], for positionIds [batch or 1, seq]. */
    NDList cosSin(NDArray positionIds, DataType type) {
        NDManager manager = positionIds.getManager();
        NDArray exponents = manager.arange(0, headDim, 2, DataType.INT64).toType(DataType.FLOAT32, false).div((float) headDim);
        NDArray powers = manager.full(exponents.getShape(), theta, DataType.FLOAT32).pow(exponents);
        NDArray inverseFrequencies = manager.ones(powers.getShape(), DataType.FLOAT32).div(powers);
        NDArray positions = positionIds.toType(DataType.FLOAT32, false);
        long batch = positions.getShape().get(0);
        long seq = positions.getShape().get(1);
        // [batch, seq, 1] x [1, 1, d/2]: one product per element, as transformers' K=1 matmul
        NDArray angles = positions.reshape(batch, seq, 1).mul(inverseFrequencies.reshape(1, 1, headDim / 2));
        NDArray doubled = angles.concat(angles, 2);
        return new NDList(doubled.cos().toType(type, false), doubled.sin().toType(type, false));
    }

    /** Rotates x [batch, heads, seq, headDim] by the angles; cos and sin as returned by {@link #cosSin}. */
    static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
        NDArray c = cos.expandDims(1);
        NDArray s = sin.expandDims(1);
        return x.mul(c).add(rotateHalf(x).mul(s));
    }

    /** (x1, x2) to (-x2, x1) over the two halves of the last dimension. */
    private static NDArray rotateHalf(NDArray x) {
        long half = x.getShape().get(3) / 2;
        NDList halves = x.split(new long[] {half}, 3);
        return NDArrays.concat(new NDList(halves.get(1).neg(), halves.get(0)), 3);
    }
}
