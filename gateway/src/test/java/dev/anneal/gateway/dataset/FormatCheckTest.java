package dev.anneal.gateway.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.anneal.api.v1.DatasetFormat;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The first look at an upload's bytes, fed in pieces as chunks arrive. */
class FormatCheckTest {
    private static String check(DatasetFormat format, byte[] bytes, int chunk) {
        FormatCheck check = new FormatCheck(format);
        for (int from = 0; from < bytes.length; from += chunk) {
            byte[] piece = new byte[Math.min(chunk, bytes.length - from)];
            System.arraycopy(bytes, from, piece, 0, piece.length);
            check.accept(piece);
        }
        return check.problem();
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parquetMarkersAreFoundInAnyChunkSize() {
        // The Parquet format puts "PAR1" at both ends of every file.
        for (int chunk : new int[] {1, 3, 4, 100}) {
            assertNull(check(DatasetFormat.PARQUET, utf8("PAR1 row groups, footer PAR1"), chunk), "chunks of " + chunk);
        }
    }

    @Test
    void bytesThatAreNotOfTheDeclaredFormatAreNamed() {
        String notParquet = "PARQUET, but the bytes do not start and end with the Parquet marker PAR1";
        assertEquals(notParquet, check(DatasetFormat.PARQUET, utf8("{\"text\": 1}\n"), 5));
        assertEquals(notParquet, check(DatasetFormat.PARQUET, utf8("PAR1"), 1), "one marker is no file");
        assertEquals(notParquet, check(DatasetFormat.PARQUET, utf8("PAR1 truncated"), 4));
        assertEquals("JSON_LINES, but the first line does not start with '{' (one JSON object per line)",
                check(DatasetFormat.JSON_LINES, utf8("\n  text,label\n"), 2));
        assertNull(check(DatasetFormat.JSON_LINES, utf8("\n  {\"text\": \"a\"}\n"), 2));
        assertNull(check(DatasetFormat.CSV, utf8("anything"), 2));
    }
}
