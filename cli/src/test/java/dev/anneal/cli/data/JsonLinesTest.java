package dev.anneal.cli.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JsonLinesTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        return Files.writeString(dir.resolve("rows.jsonl"), text);
    }

    private String error(String text) throws IOException {
        Path file = file(text);
        return assertThrows(IllegalArgumentException.class, () -> JsonLines.read(file)).getMessage()
                .replace(file.toString(), "rows.jsonl");
    }

    @Test
    void eachLineBecomesAStructWithItsValuesAndBlankLinesAreSkipped() throws IOException {
        List<Struct> rows = JsonLines.read(file("""
                {"text": "Dogs", "label": 0}

                {"text": "cat", "label": 1, "tags": ["pet", null], "meta": {"ok": true}}
                """));
        assertEquals(2, rows.size());
        assertEquals("Dogs", rows.get(0).getFieldsOrThrow("text").getStringValue());
        assertEquals(0.0, rows.get(0).getFieldsOrThrow("label").getNumberValue());
        Struct cat = rows.get(1);
        assertEquals(1.0, cat.getFieldsOrThrow("label").getNumberValue());
        List<Value> tags = cat.getFieldsOrThrow("tags").getListValue().getValuesList();
        assertEquals("pet", tags.get(0).getStringValue());
        assertTrue(tags.get(1).hasNullValue());
        assertTrue(cat.getFieldsOrThrow("meta").getStructValue().getFieldsOrThrow("ok").getBoolValue());
    }

    @Test
    void unicodeTextSurvives() throws IOException {
        assertEquals("chien 🐕 — Hund",
                JsonLines.read(file("{\"text\":\"chien 🐕 — Hund\"}\n")).get(0).getFieldsOrThrow("text").getStringValue());
    }

    @Test
    void errorsNameTheFileAndLine() throws IOException {
        assertEquals("rows.jsonl:2: expected a JSON object per line, got: [1, 2]", error("{\"a\":1}\n[1, 2]\n"));
        assertTrue(error("{\"a\":1}\n\n{\"a\": }\n").startsWith("rows.jsonl:3: not valid JSON ("));
        assertEquals("rows.jsonl: contains no rows", error("\n  \n"));
        assertEquals(dir.resolve("missing.jsonl") + ": no such file",
                assertThrows(IllegalArgumentException.class, () -> JsonLines.read(dir.resolve("missing.jsonl")))
                        .getMessage());
    }
}
