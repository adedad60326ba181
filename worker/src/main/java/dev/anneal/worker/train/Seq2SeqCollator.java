package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code DataCollatorForSeq2Seq} with the model attached, for sequence-sequence: pads
 * input_ids (pad token) and attention_mask (0) to the longest source, labels with -100 to the longest
 * target, and builds {@code decoder_input_ids} the way T5 and BART do ({@code shift_right}): the decoder
 * start token, then the labels without their last position, with -100 read as the pad token.
 */
public final class Seq2SeqCollator implements Collator {
    public static final long IGNORE_INDEX = -100;

    private final long padTokenId;
    private final boolean padLeft;
    private final long decoderStartTokenId;

    public Seq2SeqCollator(CollatorSettings settings) {
        this.padTokenId = settings.padTokenId();
        this.padLeft = "left".equals(settings.paddingSide());
        this.decoderStartTokenId = settings.decoderStartTokenId();
    }

    @Override
    public Batch collate(List<Feature> features, NDManager manager) {
        int rows = features.size();
        int sourceLength = Padding.longest(features, "input_ids");
        int targetLength = Padding.longest(features, "labels");
        long[] labels = Padding.padded(features, "labels", targetLength, IGNORE_INDEX, padLeft);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("input_ids", Padding.matrix(
                Padding.padded(features, "input_ids", sourceLength, padTokenId, padLeft), rows, sourceLength, manager));
        tensors.put("attention_mask", Padding.matrix(
                Padding.padded(features, "attention_mask", sourceLength, 0, padLeft), rows, sourceLength, manager));
        tensors.put("labels", Padding.matrix(labels, rows, targetLength, manager));
        tensors.put("decoder_input_ids", Padding.matrix(decoderInputs(labels, rows, targetLength), rows,
                targetLength, manager));
        return new Batch(tensors);
    }

    /** shift_right over row-major [rows][length] labels. */
    long[] decoderInputs(long[] labels, int rows, int length) {
        long[] shifted = new long[labels.length];
        for (int row = 0; row < rows; row++) {
            int offset = row * length;
            shifted[offset] = decoderStartTokenId;
            for (int i = 1; i < length; i++) {
                long label = labels[offset + i - 1];
                shifted[offset + i] = label == IGNORE_INDEX ? padTokenId : label;
            }
        }
        return shifted;
    }
}
