package dev.anneal.cli.data;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSON lines file (one JSON object per line) into {@link Struct} rows; blank lines are skipped. */
public final class JsonLines {

    private JsonLines() {}

    /**
     * @throws IllegalArgumentException naming the file and line when the file is missing, empty, or a line is
     *     not a JSON object
     */
    public static List<Struct> read(Path file) {
        List<Struct> rows = new ArrayList<>();
        JsonFormat.Parser parser = JsonFormat.parser();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = reader.readLine()) != null) {
                number++;
                String text = line.strip();
                if (text.isEmpty()) {
                    continue;
                }
                if (!text.startsWith("{")) {
                    throw new IllegalArgumentException(file + ":" + number + ": expected a JSON object per line, got: "
                            + abbreviate(text));
                }
                Struct.Builder row = Struct.newBuilder();
                try {
                    parser.merge(text, row);
                } catch (InvalidProtocolBufferException e) {
                    throw new IllegalArgumentException(file + ":" + number + ": not valid JSON (" + e.getMessage()
                            + "): " + abbreviate(text));
                }
                rows.add(row.build());
            }
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(file + ": contains no rows");
        }
        return rows;
    }

    private static String abbreviate(String text) {
        return text.length() <= 80 ? text : text.substring(0, 77) + "...";
    }
}
