package dev.anneal.worker.task;

import dev.anneal.worker.data.RowSource;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/** Rows held in a list, like txtai's list of dicts. */
record ListRows(String name, List<Map<String, Object>> rows) implements RowSource {
    @Override
    public RowCursor open() {
        Iterator<Map<String, Object>> iterator = rows.iterator();
        return new RowCursor() {
            @Override
            public boolean hasNext() {
                return iterator.hasNext();
            }

            @Override
            public Map<String, Object> next() {
                return iterator.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
