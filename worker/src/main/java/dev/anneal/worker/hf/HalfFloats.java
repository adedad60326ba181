package dev.anneal.worker.hf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/** Exact widening of IEEE fp16 and bfloat16 to float32 (Java 17 has no Float.float16ToFloat). */
final class HalfFloats {
    private HalfFloats() {
    }

    /** Little-endian bfloat16 values to floats: bfloat16 is the upper half of a float32. */
    static FloatBuffer bfloat16ToFloat(ByteBuffer littleEndian) {
        ByteBuffer in = littleEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = FloatBuffer.allocate(in.remaining() / 2);
        while (in.remaining() >= 2) {
            out.put(Float.intBitsToFloat((in.getShort() & 0xffff) << 16));
        }
        return out.flip();
    }

    /** Little-endian fp16 values to floats, including subnormals, infinities and NaN. */
    static FloatBuffer halfToFloat(ByteBuffer littleEndian) {
        ByteBuffer in = littleEndian.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer out = FloatBuffer.allocate(in.remaining() / 2);
        while (in.remaining() >= 2) {
            out.put(halfToFloat(in.getShort()));
        }
        return out.flip();
    }

    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            if (mantissa == 0) {
                return Float.intBitsToFloat(sign);
            }
            float value = mantissa * 0x1p-24f;
            return sign == 0 ? value : -value;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}
