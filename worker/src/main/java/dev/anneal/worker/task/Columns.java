package dev.anneal.worker.task;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The columns a task reads, after the reference's normalisation: {@code text} and optional {@code pair}
 * hold the inputs, {@code target} the label, answer or target text (null for language tasks).
 */
public record Columns(String text, String pair, String target) {
    /** The named columns every row must have. */
    public List<String> required() {
        List<String> names = new ArrayList<>();
        names.add(text);
        if (pair != null) {
            names.add(pair);
        }
        if (target != null && !Objects.equals(target, text)) {
            names.add(target);
        }
        return names;
    }
}
