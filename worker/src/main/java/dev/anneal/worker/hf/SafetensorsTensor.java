package dev.anneal.worker.hf;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where one tensor of a safetensors file lives: its type, shape, the file, and the absolute byte range.
 *
 * @param offset absolute position of the first byte in {@code file}
 * @param length number of bytes (= element count x element size)
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, long[] shape, Path file, long offset, long length) {
    public SafetensorsTensor {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public String toString() {
        return name + " " + dtype + Arrays.toString(shape) + " in " + file.getFileName();
    }
}
