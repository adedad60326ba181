package dev.anneal.worker.task;

import dev.anneal.worker.run.RunFailure;
import java.util.Map;

/** Reading a row's columns with errors that name the source, the row number and the column. */
final class Rows {
    private Rows() {
    }

    static String where(String source, long index) {
        return source + "[" + index + "]";
    }

    /** The row has every column (a null value counts as missing, as a missing key would fail in txtai). */
    static void require(Map<String, Object> row, Iterable<String> columns, long index, String source) {
        for (String column : columns) {
            if (row.get(column) == null) {
                throw RunFailure.invalidArgument(where(source, index), "missing column '" + column
                        + "' (row has " + row.keySet() + ")");
            }
        }
    }

    static String text(Map<String, Object> row, String column, long index, String source) {
        Object value = row.get(column);
        if (value == null) {
            throw RunFailure.invalidArgument(where(source, index), "missing column '" + column + "' (row has "
                    + row.keySet() + ")");
        }
        if (!(value instanceof String text)) {
            throw RunFailure.invalidArgument(where(source, index), "column '" + column + "' must be text, got "
                    + value);
        }
        return text;
    }
}
