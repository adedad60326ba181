package dev.anneal.worker.task;

import dev.anneal.worker.run.RunFailure;
import java.util.List;
import java.util.Map;

/**
 * The first answer of a question-answering row as character offsets into its context, the way txtai reads
 * it: a string is found in the context ({@code context.index(answer)}), a SQuAD dict gives
 * {@code text[0]} and {@code answer_start[0]}, and null, an empty string or empty lists mean no answer.
 */
record Answer(int startChar, int endChar) {
    /** Null when the row has no answer. */
    static Answer of(Object value, String context, String where) {
        if (value == null) {
            return null;
        }
        if (value instanceof String text) {
            if (text.isEmpty()) {
                return null;
            }
            int start = context.indexOf(text);
            if (start < 0) {
                throw RunFailure.invalidArgument(where, "answer '" + text + "' does not occur in the context");
            }
            return new Answer(start, start + text.length());
        }
        if (value instanceof Map<?, ?> squad) {
            Object texts = first(squad.get("text"));
            Object starts = first(squad.get("answer_start"));
            if (squad.get("text") == null || squad.get("answer_start") == null) {
                throw RunFailure.invalidArgument(where, "a SQuAD answer needs 'text' and 'answer_start', got "
                        + squad.keySet());
            }
            if (texts == null && starts == null) {
                return null;
            }
            if (!(texts instanceof String text) || !(starts instanceof Number start)) {
                throw RunFailure.invalidArgument(where, "answer text must be a string and answer_start a number, got "
                        + value);
            }
            int begin = start.intValue();
            if (begin < 0 || begin + text.length() > context.length()) {
                throw RunFailure.invalidArgument(where, "answer_start " + begin + " is outside the context");
            }
            return new Answer(begin, begin + text.length());
        }
        throw RunFailure.invalidArgument(where, "answers must be a string, a SQuAD dict {text, answer_start} or "
                + "null, got " + value);
    }

    /** The first element of a list (null when empty), or the value itself. */
    private static Object first(Object value) {
        if (value instanceof List<?> list) {
            return list.isEmpty() ? null : list.get(0);
        }
        return value;
    }
}
