package dev.anneal.worker.model.quantize;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.layers.LinearWeightSource;
import dev.anneal.worker.tensor.Scalars;

/**
 * A frozen linear weight stored as bitsandbytes stores a 4-bit one: the flattened weight cut into blocks of 64,
 * each block's absolute maximum kept as a float32 scale, each weight divided by its scale and rounded to the
 * nearest of the type's sixteen values, two 4-bit indices to a byte (the first in the high nibble). Forward
 * dequantizes it (index -> value x scale) into the layer's compute type for that pass only.
 */
public final class FourBitWeight implements LinearWeightSource, AutoCloseable {
    public static final int BLOCK_SIZE = 64;
    /** Blocks rounded at once: bounds the [blocks, 64, 16] distance table to 64 MiB. */
    private static final long BLOCKS_PER_CHUNK = 16_384;

    private final NDArray packed;
    private final NDArray absmax;
    private final NDArray code;
    private final Shape shape;
    private final DataType dataType;

    private FourBitWeight(NDArray packed, NDArray absmax, NDArray code, Shape shape, DataType dataType) {
        this.packed = packed;
        this.absmax = absmax;
        this.code = code;
        this.shape = shape;
        this.dataType = dataType;
    }

    /** Quantizes {@code weight}; the result lives in the weight's manager, the weight itself is left alone. */
    public static FourBitWeight quantize(NDArray weight, FourBitType type) {
        NDManager owner = weight.getManager();
        long size = weight.size();
        long blocks = (size + BLOCK_SIZE - 1) / BLOCK_SIZE;
        try (NDManager scope = owner.newSubManager()) {
            NDArray flat = weight.toType(DataType.FLOAT32, true);
            flat.attach(scope);
            flat = flat.reshape(-1);
            if (blocks * BLOCK_SIZE > size) {
                flat = flat.concat(scope.zeros(new Shape(blocks * BLOCK_SIZE - size)));
            }
            NDArray values = flat.reshape(blocks, BLOCK_SIZE);
            NDArray scales = values.abs().max(new int[] {1});
            // An all-zero block has scale 0; dividing by the smallest normal float keeps its weights at index 0.0.
            NDArray normalized = values.div(Scalars.maximum(scales, Float.MIN_NORMAL).reshape(blocks, 1));
            NDArray table = scope.create(type.code()).reshape(1, 1, 16);
            NDArray indices = null;
            for (long start = 0; start < blocks; start += BLOCKS_PER_CHUNK) {
                long end = Math.min(blocks, start + BLOCKS_PER_CHUNK);
                NDArray chunk = normalized.get(start + ":" + end).expandDims(2);
                NDArray nearest = chunk.sub(table).abs().argMin(2);
                indices = indices == null ? nearest : indices.concat(nearest);
            }
            NDArray pairs = indices.reshape(-1, 2).toType(DataType.INT32, false);
            NDArray bytes = Scalars.mul(pairs.get(":, 0"), 16).add(pairs.get(":, 1")).toType(DataType.UINT8, false);
            NDArray codeArray = owner.create(type.code());
            bytes.attach(owner);
            scales.attach(owner);
            return new FourBitWeight(bytes, scales, codeArray, weight.getShape(), weight.getDataType());
        }
    }

    @Override
    public NDArray weightFor(NDArray input) {
        return dequantize(input.getManager());
    }

    /** The weight as the model computes with it, attached to {@code manager}. */
    public NDArray dequantize(NDManager manager) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray bytes = scoped(packed, scope).toType(DataType.FLOAT32, false);
            NDArray high = Scalars.div(bytes, 16).floor();
            NDArray low = bytes.sub(Scalars.mul(high, 16));
            NDArray indices = high.stack(low, 1).reshape(-1).toType(DataType.INT64, false);
            long blocks = absmax.size();
            NDArray values = scoped(code, scope).take(indices).reshape(blocks, BLOCK_SIZE)
                    .mul(scoped(absmax, scope).reshape(blocks, 1)).reshape(-1);
            NDArray weight = values.get("0:" + shape.size()).reshape(shape).toType(dataType, false);
            weight.attach(manager);
            return weight;
        }
    }

    /** A copy of {@code array} in {@code scope}, so every array derived from it is freed with the scope. */
    private static NDArray scoped(NDArray array, NDManager scope) {
        NDArray copy = array.duplicate();
        copy.attach(scope);
        return copy;
    }

    /** Bytes this weight holds: the packed indices and the float32 block scales. */
    public long bytes() {
        return packed.size() + absmax.size() * Float.BYTES;
    }

    public Shape shape() {
        return shape;
    }

    @Override
    public void close() {
        packed.close();
        absmax.close();
        code.close();
    }
}
