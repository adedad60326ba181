package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.tensor.TorchOwned;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Little-endian tensor bytes to an NDArray, widening fp16/bf16 exactly and converting floats to the compute type. */
final class TensorBytes {
    private TensorBytes() {
    }

    static NDArray toArray(ByteBuffer littleEndian, SafetensorsDtype dtype, Shape shape, NDManager manager, DataType computeType) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("reading checkpoints on a big-endian platform is not supported");
        }
        ByteBuffer bytes = littleEndian.order(ByteOrder.LITTLE_ENDIAN);
        NDArray array = switch (dtype) {
            case F16 -> manager.create(HalfFloats.halfToFloat(bytes), shape, DataType.FLOAT32);
            case BF16 -> manager.create(HalfFloats.bfloat16ToFloat(bytes), shape, DataType.FLOAT32);
            default -> manager.create(bytes, shape, dtype.djlType());
        };
        if (dtype.isFloatingPoint() && array.getDataType() != computeType) {
            NDArray converted = array.toType(computeType, false);
            if (converted != array) {
                array.close();
                return converted;
            }
        }
        return TorchOwned.copyOf(array);
    }
}
