package dev.anneal.cli.dataset;

import dev.anneal.api.v1.DatasetInfo;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/** Stored data sets as an aligned table (ID, FORMAT, BYTES, ROWS, CREATED, FILE) and one-line summaries. */
public final class DatasetTable {
    private static final DateTimeFormatter CREATED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private DatasetTable() {}

    /** "ds-... (JSON_LINES, 2851 bytes, 100 rows, sha256 effff3a2...)". */
    public static String summary(DatasetInfo info) {
        return info.getDatasetId() + " (" + info.getFormat() + ", " + info.getSizeBytes() + " bytes"
                + (info.hasRowCount() ? ", " + info.getRowCount() + " rows" : "") + ", sha256 " + info.getSha256() + ")";
    }

    public static String render(List<DatasetInfo> datasets) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "FORMAT", "BYTES", "ROWS", "CREATED", "FILE"});
        for (DatasetInfo info : datasets) {
            rows.add(new String[] {info.getDatasetId(), info.getFormat().name(), Long.toString(info.getSizeBytes()),
                info.hasRowCount() ? Long.toString(info.getRowCount()) : "-",
                CREATED.format(Instant.ofEpochSecond(info.getCreated().getSeconds())), info.getFilename()});
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + widths[i] + "s  ", row[i]));
            }
            table.append(line.toString().stripTrailing()).append('\n');
        }
        return table.toString();
    }
}
