package dev.anneal.worker.model.quantize;

/**
 * bitsandbytes' 4-bit data types: sixteen values in [-1, 1] that a block's weights, divided by the block's
 * absolute maximum, are rounded to. NF4 holds the quantiles of a standard normal (QLoRA paper, bitsandbytes'
 * {@code create_normal_map}); FP4 is a float with sign, two exponent bits and one mantissa bit, scaled to 1.
 */
public enum FourBitType {
    NF4(new float[] {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
        0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f,
        0.5626170039176941f, 0.7229568362236023f, 1.0f}),
    FP4(new float[] {0f, 0.0625f / 12, 8f / 12, 12f / 12, 4f / 12, 6f / 12, 2f / 12, 3f / 12,
        -0f, -0.0625f / 12, -8f / 12, -12f / 12, -4f / 12, -6f / 12, -2f / 12, -3f / 12});

    private final float[] code;

    FourBitType(float[] code) {
        this.code = code;
    }

    /** The value of each 4-bit index, in index order. */
    public float[] code() {
        return code.clone();
    }

    /** bitsandbytes' name: "nf4" or "fp4". */
    public String bnbName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
