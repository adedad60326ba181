package dev.anneal.worker.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.run.RunFailure;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;

/** A JSON-lines file, one object per line, read line by line. Blank lines are skipped. */
public final class JsonLinesFile extends FileRowSource {
    private static final ObjectMapper JSON = new ObjectMapper()
            .disable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final TypeReference<Map<String, Object>> ROW = new TypeReference<>() {
    };

    public JsonLinesFile(String name, Path path) {
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
        return new RowCursor() {
            private Map<String, Object> pending;
            private long line;

            @Override
            public boolean hasNext() {
                if (pending != null) {
                    return true;
                }
                try {
                    String text;
                    while ((text = reader.readLine()) != null) {
                        line++;
                        if (!text.isBlank()) {
                            pending = parse(text);
                            return true;
                        }
                    }
                    return false;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            private Map<String, Object> parse(String text) {
                try {
                    return JSON.readValue(text, ROW);
                } catch (JsonProcessingException e) {
                    throw RunFailure.invalidArgument(name, "line " + line + " is not a JSON object: "
                            + e.getOriginalMessage());
                }
            }

            @Override
            public Map<String, Object> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Map<String, Object> row = pending;
                pending = null;
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
}
