package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.task.Feature;
import java.util.Arrays;
import java.util.List;

/** Pads integer sequences of a batch to one length, on the tokenizer's padding side. */
final class Padding {
    private Padding() {
    }

    /** The longest sequence under {@code name}. */
    static int longest(List<Feature> features, String name) {
        return features.stream().mapToInt(f -> f.longs().get(name).length).max().orElse(0);
    }

    /** Row-major [batch][length] values of {@code name}, padded with {@code pad}. */
    static long[] padded(List<Feature> features, String name, int length, long pad, boolean left) {
        long[] data = new long[features.size() * length];
        Arrays.fill(data, pad);
        for (int row = 0; row < features.size(); row++) {
            long[] values = features.get(row).longs().get(name);
            int start = left ? length - values.length : 0;
            System.arraycopy(values, 0, data, row * length + start, values.length);
        }
        return data;
    }

    static NDArray matrix(long[] data, int rows, int length, NDManager manager) {
        return manager.create(data, new Shape(rows, length));
    }
}
