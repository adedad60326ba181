package dev.anneal.worker.data;

import java.util.Iterator;
import java.util.Map;

/**
 * Training or validation rows, read in order as often as needed without holding them all: each row is a
 * map from column to a plain Java value (String, Long, Double, Boolean, List, Map or null).
 */
public interface RowSource {
    /** Where the rows come from, for error messages: "train.rows", "validation (data/val.jsonl)". */
    String name();

    /** Opens a new pass over the rows. */
    RowCursor open();

    /** One pass over a row source; closing it releases the file. */
    interface RowCursor extends Iterator<Map<String, Object>>, AutoCloseable {
        @Override
        void close();
    }
}
