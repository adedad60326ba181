package dev.anneal.worker.task;

import dev.anneal.api.v1.TrainRequest;

/**
 * The request values that change how a task processes rows: {@code stride} (question answering),
 * {@code prefix} (sequence-sequence) and {@code merge} (language tasks).
 */
public record TaskOptions(int stride, String prefix, TextMerge merge) {
    /** txtai's defaults: stride 128, no prefix, merge "concat". */
    public static final TaskOptions DEFAULTS = new TaskOptions(128, "", TextMerge.CONCAT);

    public TaskOptions {
        prefix = prefix == null ? "" : prefix;
        merge = merge == null ? TextMerge.CONCAT : merge;
    }

    /** The request's values; stride 0 means 128 and an empty merge "concat", as in the contract. */
    public static TaskOptions of(TrainRequest request) {
        return new TaskOptions(request.getStride() > 0 ? request.getStride() : 128, request.getPrefix(),
                request.getMerge().isEmpty() ? TextMerge.CONCAT : TextMerge.of(request.getMerge()));
    }
}
