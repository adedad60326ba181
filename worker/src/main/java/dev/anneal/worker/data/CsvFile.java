package dev.anneal.worker.data;

import dev.anneal.worker.run.RunFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * A CSV file with a header row (RFC 4180 quoting), read record by record. Cells that read as integers
 * become Long and as decimals Double, as a data frame would type them; an empty cell is null.
 */
public final class CsvFile extends FileRowSource {
    public CsvFile(String name, Path path) {
        super(name, path);
    }

    @Override
    public RowCursor open() {
        BufferedReader reader;
        try {
            reader = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw unreadable(e);
        }
        List<String> header = readRecord(reader);
        if (header == null) {
            header = List.of();
        }
        List<String> columns = header;
        return new RowCursor() {
            private List<String> pending;
            private long record = 1;

            @Override
            public boolean hasNext() {
                while (pending == null) {
                    List<String> cells = readRecord(reader);
                    if (cells == null) {
                        return false;
                    }
                    record++;
                    if (!(cells.size() == 1 && cells.get(0).isEmpty())) {
                        pending = cells;
                    }
                }
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                List<String> cells = pending;
                pending = null;
                if (cells.size() != columns.size()) {
                    throw RunFailure.invalidArgument(name, "record " + record + " has " + cells.size()
                            + " cells but the header has " + columns.size());
                }
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.size(); i++) {
                    row.put(columns.get(i), typed(cells.get(i)));
                }
                return row;
            }

            @Override
            public void close() {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // Read-only file: nothing to lose.
                }
            }
        };
    }

    static Object typed(String cell) {
        if (cell.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(cell);
        } catch (NumberFormatException notLong) {
            try {
                double value = Double.parseDouble(cell);
                return Double.isFinite(value) ? value : cell;
            } catch (NumberFormatException notNumber) {
                return cell;
            }
        }
    }

    /** Reads one record, following quoted cells across line breaks; null at end of file. */
    static List<String> readRecord(BufferedReader reader) {
        try {
            int c = reader.read();
            if (c == -1) {
                return null;
            }
            List<String> cells = new ArrayList<>();
            StringBuilder cell = new StringBuilder();
            boolean quoted = false;
            while (c != -1) {
                if (quoted) {
                    if (c == '"') {
                        reader.mark(1);
                        int next = reader.read();
                        if (next == '"') {
                            cell.append('"');
                        } else {
                            quoted = false;
                            if (next != -1) {
                                reader.reset();
                            }
                        }
                    } else {
                        cell.append((char) c);
                    }
                } else if (c == '"') {
                    quoted = true;
                } else if (c == ',') {
                    cells.add(cell.toString());
                    cell.setLength(0);
                } else if (c == '\n') {
                    break;
                } else if (c != '\r') {
                    cell.append((char) c);
                }
                c = reader.read();
            }
            cells.add(cell.toString());
            return cells;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
