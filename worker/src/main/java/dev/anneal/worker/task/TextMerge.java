package dev.anneal.worker.task;

import dev.anneal.worker.run.RunFailure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How txtai's {@code Texts} combines tokenized rows for the language tasks. Each strategy works on one
 * group of rows: txtai merges a list of dicts as one group and a Hugging Face dataset per map batch of
 * {@code tokenizebatch} rows.
 */
public enum TextMerge {
    /**
     * Concatenates every row and cuts chunks of exactly maxlength; the incomplete last chunk is dropped,
     * unless the whole group is shorter than maxlength, which then gives one short chunk.
     */
    CONCAT {
        @Override
        public List<Feature> apply(List<Feature> rows, int maxLength) {
            if (rows.isEmpty()) {
                return List.of();
            }
            Map<String, long[]> joined = join(rows);
            int length = joined.get("input_ids").length;
            if (length >= maxLength) {
                length = (length / maxLength) * maxLength;
            }
            List<Feature> chunks = new ArrayList<>();
            for (int from = 0; from < length; from += maxLength) {
                int to = Math.min(length, from + maxLength);
                Map<String, long[]> chunk = new LinkedHashMap<>();
                for (Map.Entry<String, long[]> column : joined.entrySet()) {
                    chunk.put(column.getKey(), Arrays.copyOfRange(column.getValue(), from, to));
                }
                chunks.add(new Feature(chunk, Map.of()));
            }
            return chunks;
        }
    },
    /**
     * Sorts rows longest first (stable) and packs consecutive rows into one while the next would still
     * fit under maxlength; rows are never split, so a row longer than maxlength stays whole.
     */
    PACK {
        @Override
        public List<Feature> apply(List<Feature> rows, int maxLength) {
            List<Feature> sorted = new ArrayList<>(rows);
            sorted.sort(Comparator.comparingInt(Feature::length).reversed());
            List<Feature> packed = new ArrayList<>();
            int length = 0;
            int first = 0;
            for (int x = 0; x < sorted.size(); x++) {
                length += sorted.get(x).length();
                int next = x < sorted.size() - 1 ? sorted.get(x + 1).length() : 0;
                if (length + next >= maxLength) {
                    packed.add(new Feature(join(sorted.subList(first, x + 1)), Map.of()));
                    length = 0;
                    first = x + 1;
                }
            }
            if (length > 0) {
                packed.add(new Feature(join(sorted.subList(first, sorted.size())), Map.of()));
            }
            return packed;
        }
    },
    /** Rows as tokenized: no truncation, no padding. */
    NONE {
        @Override
        public List<Feature> apply(List<Feature> rows, int maxLength) {
            return rows;
        }
    };

    /** Merges one group of tokenized rows (in row order) into training features. */
    public abstract List<Feature> apply(List<Feature> rows, int maxLength);

    /** The request's merge name: "concat", "pack" or "none"/empty (txtai's None). */
    public static TextMerge of(String name) {
        String value = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "concat" -> CONCAT;
            case "pack" -> PACK;
            case "", "none" -> NONE;
            default -> throw RunFailure.invalidArgument("merge", "unknown merge '" + name
                    + "'; valid: concat, pack, none");
        };
    }

    /** Joins rows column by column (every row has the same integer columns). */
    private static Map<String, long[]> join(List<Feature> rows) {
        Map<String, long[]> joined = new LinkedHashMap<>();
        int total = rows.stream().mapToInt(Feature::length).sum();
        for (String column : rows.get(0).longs().keySet()) {
            long[] values = new long[total];
            int at = 0;
            for (Feature row : rows) {
                long[] part = row.longs().get(column);
                System.arraycopy(part, 0, values, at, part.length);
                at += part.length;
            }
            joined.put(column, values);
        }
        return joined;
    }
}
