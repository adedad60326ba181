package dev.anneal.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Readers stream: a file several times larger than the heap is read to the end by a JVM whose heap
 * ({@value #HEAP}) could not hold its rows as Java objects (they take several times their bytes).
 */
class LargeFileStreamingTest {
    static final String HEAP = "-Xmx32m";
    private static final long TARGET_BYTES = 192L << 20;

    @ParameterizedTest
    @ValueSource(strings = {"jsonl", "csv"})
    void readsAFileSixTimesTheHeapToTheEnd(String format, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("big." + format);
        long rows = write(file, format);
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), HEAP,
                "-cp", System.getProperty("java.class.path"), CountRows.class.getName(), file.toString())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        process.waitFor(5, TimeUnit.MINUTES);
        assertEquals(0, process.exitValue(), "the reader ran out of heap or failed: " + output);
        assertEquals(rows + " " + (rows - 1), output, "every row read, in order, the last one whole");
    }

    private static long write(Path file, String format) throws IOException {
        String text = "the quick brown fox jumps over the lazy dog while the cat sleeps on a warm mat ".repeat(3);
        long rows = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file)) {
            if (format.equals("csv")) {
                out.write("text,label\n");
            }
            long written = 0;
            while (written < TARGET_BYTES) {
                String line = format.equals("csv") ? "\"" + text + rows + "\"," + rows + "\n"
                        : "{\"text\": \"" + text + rows + "\", \"label\": " + rows + "}\n";
                out.write(line);
                written += line.length();
                rows++;
            }
        }
        return rows;
    }

    /** Reads a file through {@link RowSources}' readers and prints the row count and the last label. */
    public static final class CountRows {
        public static void main(String[] args) {
            Path path = Path.of(args[0]);
            RowSource source = path.toString().endsWith(".csv") ? new CsvFile("big", path) : new JsonLinesFile("big", path);
            long count = 0;
            Object last = null;
            try (RowSource.RowCursor cursor = source.open()) {
                while (cursor.hasNext()) {
                    Map<String, Object> row = cursor.next();
                    last = row.get("label");
                    count++;
                }
            }
            System.out.println(count + " " + last);
        }
    }
}
