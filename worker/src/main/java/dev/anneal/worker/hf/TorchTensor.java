package dev.anneal.worker.hf;

import java.util.Arrays;

/**
 * One tensor of a torch checkpoint as its pickle describes it: a strided view into a storage that is
 * stored as {@code <archive>/data/<storageKey>} in the zip.
 *
 * @param storageOffset offset into the storage, in elements
 * @param storageElements the storage's size in elements
 */
public record TorchTensor(String name, SafetensorsDtype dtype, String storageKey, long storageElements,
        long storageOffset, long[] shape, long[] stride) {
    public TorchTensor {
        shape = shape.clone();
        stride = stride.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public long[] stride() {
        return stride.clone();
    }

    /** Number of elements of the tensor (1 for a scalar). */
    public long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** True when the elements are laid out row-major without gaps, so the bytes can be copied in one piece. */
    public boolean isContiguous() {
        long expected = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            if (shape[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= shape[i];
        }
        return true;
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " (storage " + storageKey + ")";
    }
}
