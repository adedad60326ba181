package dev.anneal.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** txtai-semantics/sequences.json: Sequences with and without prefix, and truncation of both sides at 4. */
class SequenceSequenceTaskFixtureTest {
    private static final JsonNode SEQUENCES = SemanticsFixture.read("sequences.json");
    private static final String PREFIX = "translate Run to Sleep: ";

    @ParameterizedTest
    @ValueSource(strings = {"t5", "roberta"})
    void featuresMatchTxtai(String name) {
        JsonNode fixture = SEQUENCES.path("tokenizers").path(name);
        List<Map<String, Object>> rows = SemanticsFixture.rows(SEQUENCES.path("rows"));
        assertCase(fixture, "prefix='" + PREFIX + "'", PREFIX, 128, rows);
        assertCase(fixture, "prefix=None", "", 128, rows);
        assertCase(fixture, "maxlength=4 (truncation applies to source and target)", PREFIX, 4, rows);
    }

    @ParameterizedTest
    @ValueSource(strings = {"t5", "roberta"})
    void aRowMissingTheTargetNamesTheRow(String name) {
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(
                SEQUENCES.path("tokenizers").path(name).path("tokenizer").asText(), 128)) {
            SequenceSequenceTask task = new SequenceSequenceTask(PREFIX);
            RunFailure failure = assertThrows(RunFailure.class, () -> task.features(task.columns(List.of()),
                    Map.of("source", "Run"), 5, "train.rows", tokenizer));
            assertEquals("train.rows[5]: missing column 'target' (row has [source])", failure.getMessage());
            assertThrows(RunFailure.class, () -> task.columns(List.of("source")));
        }
    }

    private static void assertCase(JsonNode fixture, String key, String prefix, int maxLength,
            List<Map<String, Object>> rows) {
        JsonNode output = fixture.path(key).path("output");
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(fixture.path("tokenizer").asText(), maxLength)) {
            SequenceSequenceTask task = new SequenceSequenceTask(prefix);
            List<Feature> features = SemanticsFixture.process(task, task.columns(List.of()), rows, tokenizer);
            assertEquals(rows.size(), features.size());
            for (int i = 0; i < rows.size(); i++) {
                Feature feature = features.get(i);
                assertEquals(List.of("input_ids", "attention_mask", "labels"), List.copyOf(feature.longs().keySet()));
                for (String column : List.of("input_ids", "attention_mask", "labels")) {
                    assertArrayEquals(SemanticsFixture.longs(output.path(column).get(i)), feature.longs().get(column),
                            key + " " + column + "[" + i + "]");
                }
                assertTrue(feature.longs().get("input_ids").length <= maxLength);
            }
        }
    }
}
