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
            // Chunks are filled row by row, so the group is never joined into one long array.
            List<String> columns = List.copyOf(rows.get(0).longs().keySet());
            List<Feature> chunks = new ArrayList<>();
            long[][] chunk = new long[columns.size()][maxLength];
            int filled = 0;
            for (Feature row : rows) {
                int length = row.length();
                int from = 0;
                while (from < length) {
                    int take = Math.min(maxLength - filled, length - from);
                    for (int c = 0; c < columns.size(); c++) {
                        System.arraycopy(row.longs().get(columns.get(c)), from, chunk[c], filled, take);
                    }
                    filled += take;
                    from += take;
                    if (filled == maxLength) {
                        chunks.add(feature(columns, chunk, maxLength));
                        chunk = new long[columns.size()][maxLength];
                        filled = 0;
                    }
                }
            }
            if (chunks.isEmpty() && filled > 0) {
                // The whole group is shorter than maxlength: txtai keeps it as one short chunk.
                chunks.add(feature(columns, chunk, filled));
            }
            return chunks;
        }

        private Feature feature(List<String> columns, long[][] chunk, int length) {
            Map<String, long[]> values = new LinkedHashMap<>();
            for (int c = 0; c < columns.size(); c++) {
                values.put(columns.get(c), length == chunk[c].length ? chunk[c] : Arrays.copyOf(chunk[c], length));
            }
            return new Feature(values, Map.of());
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
