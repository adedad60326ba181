package dev.anneal.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** txtai-semantics/texts.json: Texts merges at maxlength 8, exactly, on the WordPiece, GPT-2 and T5 tokenizers. */
class TextsTaskFixtureTest {
    private static final JsonNode TEXTS = SemanticsFixture.read("texts.json");
    private static final int MAX_LENGTH = 8;

    @ParameterizedTest
    @ValueSource(strings = {"bert", "gpt2", "t5"})
    void everyMergeMatchesTxtai(String name) {
        JsonNode fixture = TEXTS.path("tokenizers").path(name);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode text : TEXTS.path("texts")) {
            rows.add(new HashMap<>(Map.of("text", text.asText())));
        }
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(fixture.path("tokenizer").asText(), MAX_LENGTH)) {
            for (TextMerge merge : TextMerge.values()) {
                TrainingTask task = new LanguageModelingTask(merge);
                Columns columns = task.columns(List.of());
                List<Feature> tokenized = SemanticsFixture.process(task, columns, rows, tokenizer);
                assertEquals(SemanticsFixture.longs(fixture.path("token_lengths")).length, tokenized.size());
                String key = merge == TextMerge.NONE ? "merge=None" : "merge=" + merge.name().toLowerCase();
                // A list of dicts is merged as one group.
                assertMatches(fixture.path(key), task.merge(tokenized, MAX_LENGTH), name + " " + key);
                if (merge == TextMerge.CONCAT) {
                    // A Hugging Face dataset is merged per map batch of tokenizebatch (2) rows.
                    List<Feature> batched = new ArrayList<>();
                    for (int from = 0; from < tokenized.size(); from += 2) {
                        batched.addAll(task.merge(tokenized.subList(from, Math.min(tokenized.size(), from + 2)),
                                MAX_LENGTH));
                    }
                    assertMatches(fixture.path("merge=concat, HF dataset, tokenizebatch=2"), batched,
                            name + " concat per batch");
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bert", "gpt2", "t5"})
    void everyLanguageTaskReadsTextsTheSameWay(String name) {
        JsonNode fixture = TEXTS.path("tokenizers").path(name);
        List<Map<String, Object>> rows = new ArrayList<>();
        for (JsonNode text : TEXTS.path("texts")) {
            rows.add(Map.of("text", text.asText()));
        }
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(fixture.path("tokenizer").asText(), MAX_LENGTH)) {
            for (TrainingTask task : List.of(new LanguageGenerationTask(TextMerge.PACK),
                    new LanguageModelingTask(TextMerge.PACK), new TokenDetectionTask(TextMerge.PACK))) {
                List<Feature> features = task.merge(SemanticsFixture.process(task, task.columns(List.of()), rows,
                        tokenizer), MAX_LENGTH);
                assertMatches(fixture.path("merge=pack"), features, task.kind() + " " + name);
            }
        }
    }

    static void assertMatches(JsonNode expected, List<Feature> actual, String what) {
        JsonNode output = expected.path("output");
        assertEquals(expected.path("num_rows").asInt(), actual.size(), what + ": rows");
        Set<String> columns = new TreeSet<>();
        for (Iterator<String> names = output.fieldNames(); names.hasNext(); ) {
            columns.add(names.next());
        }
        assertEquals(columns, new TreeSet<>(actual.get(0).longs().keySet()), what + ": columns");
        for (String column : columns) {
            long[][] values = SemanticsFixture.matrix(output.path(column));
            for (int row = 0; row < values.length; row++) {
                assertArrayEquals(values[row], actual.get(row).longs().get(column), what + ": " + column + "[" + row
                        + "]");
            }
        }
    }
}
