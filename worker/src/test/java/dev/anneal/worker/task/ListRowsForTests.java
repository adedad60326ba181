package dev.anneal.worker.task;

import dev.anneal.worker.data.RowSource;
import java.util.List;
import java.util.Map;

/** A public entry to {@link ListRows} for tests in other packages. */
public final class ListRowsForTests implements RowSource {
    private final ListRows rows;

    public ListRowsForTests(List<Map<String, Object>> rows) {
        this.rows = new ListRows("train.rows", rows);
    }

    @Override
    public String name() {
        return rows.name();
    }

    @Override
    public RowCursor open() {
        return rows.open();
    }
}
