package dev.anneal.worker.hf;

import ai.djl.ndarray.types.DataType;

/**
 * The element types of the safetensors format, declared in the order the reference implementation sorts
 * them (its Rust enum order; tensors are laid out by descending dtype, then name).
 */
public enum SafetensorsDtype {
    BOOL(1, DataType.BOOLEAN),
    U8(1, DataType.UINT8),
    I8(1, DataType.INT8),
    I16(2, DataType.INT16),
    U16(2, DataType.UINT16),
    F16(2, DataType.FLOAT16),
    BF16(2, DataType.BFLOAT16),
    I32(4, DataType.INT32),
    U32(4, DataType.UINT32),
    F32(4, DataType.FLOAT32),
    F64(8, DataType.FLOAT64),
    I64(8, DataType.INT64),
    U64(8, DataType.UINT64);

    private final int bytes;
    private final DataType djl;

    SafetensorsDtype(int bytes, DataType djl) {
        this.bytes = bytes;
        this.djl = djl;
    }

    public int bytes() {
        return bytes;
    }

    public DataType djlType() {
        return djl;
    }

    public boolean isFloatingPoint() {
        return this == F16 || this == BF16 || this == F32 || this == F64;
    }

    /** The safetensors name ("F32", ...), or null when the format has no such type. */
    public static SafetensorsDtype parse(String name) {
        for (SafetensorsDtype d : values()) {
            if (d.name().equals(name)) {
                return d;
            }
        }
        return null;
    }

    public static SafetensorsDtype of(DataType type) {
        for (SafetensorsDtype d : values()) {
            if (d.djl == type) {
                return d;
            }
        }
        throw new IllegalArgumentException("safetensors cannot store data type " + type);
    }
}
