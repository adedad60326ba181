package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code DataCollatorWithPadding}: pads every sequence of a batch to the batch's longest
 * (on the tokenizer's padding side) and stacks per-example values. Sequence fields pad with the pad
 * token (input_ids), 0 (masks, type ids), 1 (special_tokens_mask) or -100 (token labels).
 */
public final class PaddingCollator implements Collator {
    private final long padTokenId;
    private final boolean padLeft;

    public PaddingCollator(long padTokenId, String paddingSide) {
        this.padTokenId = padTokenId;
        this.padLeft = "left".equals(paddingSide);
    }

    @Override
    public Batch collate(List<Feature> features, NDManager manager) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        Feature first = features.get(0);
        int longest = features.stream().mapToInt(Feature::length).max().orElse(0);
        for (String name : first.longs().keySet()) {
            if (isSequence(name)) {
                tensors.put(name, padded(features, name, longest, padValue(name), manager));
            } else {
                tensors.put(name, stacked(features, name, manager));
            }
        }
        for (String name : first.floats().keySet()) {
            tensors.put(name, stackedFloats(features, name, manager));
        }
        return new Batch(tensors);
    }

    private static boolean isSequence(String name) {
        return switch (name) {
            case "input_ids", "attention_mask", "token_type_ids", "special_tokens_mask" -> true;
            default -> false;
        };
    }

    private long padValue(String name) {
        return switch (name) {
            case "input_ids" -> padTokenId;
            case "special_tokens_mask" -> 1;
            default -> 0;
        };
    }

    private NDArray padded(List<Feature> features, String name, int length, long pad, NDManager manager) {
        long[] data = new long[features.size() * length];
        for (int row = 0; row < features.size(); row++) {
            long[] values = features.get(row).longs().get(name);
            int offset = row * length;
            int start = padLeft ? length - values.length : 0;
            java.util.Arrays.fill(data, offset, offset + length, pad);
            System.arraycopy(values, 0, data, offset + start, values.length);
        }
        return manager.create(data, new Shape(features.size(), length));
    }

    private static NDArray stacked(List<Feature> features, String name, NDManager manager) {
        int width = features.get(0).longs().get(name).length;
        long[] data = new long[features.size() * width];
        for (int row = 0; row < features.size(); row++) {
            System.arraycopy(features.get(row).longs().get(name), 0, data, row * width, width);
        }
        Shape shape = width == 1 ? new Shape(features.size()) : new Shape(features.size(), width);
        return manager.create(data, shape);
    }

    private static NDArray stackedFloats(List<Feature> features, String name, NDManager manager) {
        int width = features.get(0).floats().get(name).length;
        float[] data = new float[features.size() * width];
        for (int row = 0; row < features.size(); row++) {
            System.arraycopy(features.get(row).floats().get(name), 0, data, row * width, width);
        }
        Shape shape = width == 1 ? new Shape(features.size()) : new Shape(features.size(), width);
        return manager.create(data, shape);
    }
}
