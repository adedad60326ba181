package dev.anneal.gateway.dataset;

import dev.anneal.api.v1.DatasetFormat;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A cheap look at an upload's bytes as they stream past, so that a file sent under the wrong format is refused
 * at upload rather than when a job reads it: a Parquet file starts and ends with "PAR1", a JSON-lines file's
 * first non-blank character opens an object. CSV and Arrow streams have no marker worth checking.
 */
final class FormatCheck {
    private static final byte[] PARQUET_MAGIC = "PAR1".getBytes(StandardCharsets.US_ASCII);

    private final DatasetFormat format;
    private final byte[] head = new byte[PARQUET_MAGIC.length];
    private final byte[] tail = new byte[PARQUET_MAGIC.length];
    private long seen;
    private int firstContent = -1;

    FormatCheck(DatasetFormat format) {
        this.format = format;
    }

    void accept(byte[] bytes) {
        for (byte b : bytes) {
            if (seen < head.length) {
                head[(int) seen] = b;
            }
            tail[(int) (seen % tail.length)] = b;
            if (firstContent < 0 && b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                firstContent = b & 0xff;
            }
            seen++;
        }
    }

    /** Why the bytes are not of the declared format, or null when nothing speaks against it. */
    String problem() {
        return switch (format) {
            case PARQUET -> seen < 2L * PARQUET_MAGIC.length || !Arrays.equals(head, PARQUET_MAGIC)
                    || !Arrays.equals(lastBytes(), PARQUET_MAGIC)
                    ? "PARQUET, but the bytes do not start and end with the Parquet marker PAR1" : null;
            case JSON_LINES -> firstContent >= 0 && firstContent != '{'
                    ? "JSON_LINES, but the first line does not start with '{' (one JSON object per line)" : null;
            default -> null;
        };
    }

    /** The last bytes seen, in order (tail is a ring). */
    private byte[] lastBytes() {
        byte[] last = new byte[tail.length];
        for (int i = 0; i < tail.length; i++) {
            last[i] = tail[(int) ((seen + i) % tail.length)];
        }
        return last;
    }
}
