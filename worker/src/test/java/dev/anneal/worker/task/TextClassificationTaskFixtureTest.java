package dev.anneal.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * txtai-semantics/labels.json through {@link TextClassificationTask} and {@link LabelSpace}: label counting,
 * column normalisation and tokenized features, compared after padding the way txtai padded them.
 */
class TextClassificationTaskFixtureTest {
    private static final JsonNode LABELS = SemanticsFixture.read("labels.json");

    /**
     * Where Anneal counts differently from txtai on purpose (issue 4): non-contiguous integer ids keep their
     * ids (num_labels = max + 1; txtai counts distinct values and the loss then fails on the largest id), and
     * string labels are classes (txtai takes the length of the first string).
     */
    private static final Map<String, Integer> ANNEAL_DIFFERS = Map.of(
            "ints {0,2} (non-contiguous)", 3,
            "ints {0,1,2,5}", 6,
            "strings 'positive'/'negative' (first string has length 8)", 2);

    @Test
    void labelCountsMatchTxtaiExceptWhereItCrashesOrMislabels() {
        int cases = 0;
        for (JsonNode labelCase : LABELS.path("label_count_cases")) {
            String name = labelCase.path("case").asText();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (JsonNode label : labelCase.path("labels")) {
                rows.add(Map.of("text", "x", "label", SemanticsFixture.value(label)));
            }
            TextClassificationTask task = new TextClassificationTask();
            task.prepare(task.columns(List.of()), new ListRows("train.rows", rows));
            int txtai = labelCase.path("list_of_dicts").asInt();
            assertEquals(txtai, labelCase.path("hf_dataset").asInt(), name);
            assertEquals(ANNEAL_DIFFERS.getOrDefault(name, txtai), task.labels().numLabels(), name);
            cases++;
        }
        assertEquals(12, cases);
    }

    @Test
    void columnsNormaliseAsTxtai() {
        TextClassificationTask task = new TextClassificationTask();
        JsonNode expected = LABELS.path("columns_normalisation");
        assertColumns(expected.path("None"), task.columns(List.of()));
        assertColumns(expected.path("('text', 'label')"), task.columns(List.of("text", "label")));
        assertColumns(expected.path("('x',)"), task.columns(List.of("x")));
        assertColumns(expected.path("('sentence1', 'sentence2', 'label')"),
                task.columns(List.of("sentence1", "sentence2", "label")));
    }

    @Test
    void singleTextsAndPairsMatchTxtaiPaddedToTheLongestOfTheList() {
        JsonNode cases = LABELS.path("process_list_of_dicts");
        String wordPiece = LABELS.path("tokenizer").asText();
        assertProcessed(cases.path("single_texts"), wordPiece, List.of(), 128, 0, true);
        assertProcessed(cases.path("sentence_pairs"), wordPiece, columnNames(cases.path("sentence_pairs")), 128, 0,
                true);
        assertProcessed(cases.path("truncation_maxlength_6"), wordPiece, List.of(), 6, 0, true);
        JsonNode others = cases.path("single_texts_other_tokenizers");
        for (String name : List.of("gpt2", "t5")) {
            JsonNode other = others.path(name);
            assertEquals("right", other.path("padding_side").asText());
            // Both pad with id 0: GPT-2's eos (set as pad, as HFTrainer does) and T5's <pad>.
            assertProcessed(other, other.path("tokenizer").asText(), cases.path("single_texts").path("input"),
                    List.of(), 128, 0, false);
        }
    }

    /**
     * txtai keeps a custom label column under its own name ("target"), which the Hugging Face Trainer then
     * drops; Anneal passes it to the model as {@code labels}.
     */
    @Test
    void customLabelColumnBecomesLabels() {
        JsonNode custom = LABELS.path("process_list_of_dicts").path("custom_label_column");
        assertTrue(custom.path("output").has("target"));
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(LABELS.path("tokenizer").asText(), 128)) {
            TextClassificationTask task = new TextClassificationTask();
            Columns columns = task.columns(columnNames(custom));
            List<Map<String, Object>> rows = SemanticsFixture.rows(custom.path("input"));
            task.prepare(columns, new ListRows("train.rows", List.of(rows.get(0), Map.of("text", "dog", "target", 0))));
            Feature feature = task.features(columns, rows.get(0), 0, "train.rows", tokenizer).get(0);
            assertArrayEquals(SemanticsFixture.longs(custom.path("output").path("input_ids").get(0)),
                    feature.longs().get("input_ids"));
            assertArrayEquals(new long[] {custom.path("output").path("target").get(0).asLong()},
                    feature.longs().get("labels"));
            assertNull(feature.longs().get("target"));
        }
    }

    /** The Hugging Face datasets path pads each map batch (tokenizebatch 2) to its own longest row. */
    @Test
    void hfDatasetBatchesMatchTxtaiPaddedPerBatch() {
        JsonNode dataset = LABELS.path("process_hf_dataset");
        int batch = dataset.path("tokenizebatch").asInt();
        List<Map<String, Object>> rows = SemanticsFixture.rows(dataset.path("input"));
        JsonNode output = dataset.path("output");
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(LABELS.path("tokenizer").asText(), 128)) {
            TextClassificationTask task = new TextClassificationTask();
            Columns columns = task.columns(List.of());
            task.prepare(columns, new ListRows("train.rows", rows));
            List<Feature> features = SemanticsFixture.process(task, columns, rows, tokenizer);
            for (int from = 0; from < features.size(); from += batch) {
                int to = Math.min(features.size(), from + batch);
                int longest = features.subList(from, to).stream().mapToInt(Feature::length).max().orElseThrow();
                for (int i = from; i < to; i++) {
                    assertRow(output, i, features.get(i), longest, 0, true);
                }
            }
        }
    }

    @Test
    void aRowWithoutItsLabelNamesTheRow() {
        TextClassificationTask task = new TextClassificationTask();
        RunFailure failure = assertThrows(RunFailure.class, () -> task.prepare(task.columns(List.of()),
                new ListRows("train.rows", List.of(Map.of("text", "a", "label", 1), Map.of("text", "b")))));
        assertEquals("train.rows[1]: missing column 'label' (row has [text])", failure.getMessage());
    }

    private static void assertProcessed(JsonNode testCase, String tokenizerDir, List<String> columnNames,
            int maxLength, long padId, boolean typeIds) {
        assertProcessed(testCase, tokenizerDir, testCase.path("input"), columnNames, maxLength, padId, typeIds);
    }

    private static void assertProcessed(JsonNode testCase, String tokenizerDir, JsonNode input,
            List<String> columnNames, int maxLength, long padId, boolean typeIds) {
        JsonNode output = testCase.path("output");
        List<Map<String, Object>> rows = SemanticsFixture.rows(input);
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer(tokenizerDir, maxLength)) {
            TextClassificationTask task = new TextClassificationTask();
            Columns columns = task.columns(columnNames);
            task.prepare(columns, new ListRows("train.rows", rows));
            List<Feature> features = SemanticsFixture.process(task, columns, rows, tokenizer);
            assertEquals(rows.size(), features.size());
            int longest = output.path("input_ids").get(0).size();
            for (int i = 0; i < features.size(); i++) {
                assertRow(output, i, features.get(i), longest, padId, typeIds);
            }
        }
    }

    private static void assertRow(JsonNode output, int i, Feature feature, int length, long padId, boolean typeIds) {
        assertArrayEquals(SemanticsFixture.longs(output.path("input_ids").get(i)),
                SemanticsFixture.padRight(feature.longs().get("input_ids"), length, padId), "input_ids[" + i + "]");
        assertArrayEquals(SemanticsFixture.longs(output.path("attention_mask").get(i)),
                SemanticsFixture.padRight(feature.longs().get("attention_mask"), length, 0), "attention_mask[" + i + "]");
        if (typeIds) {
            assertArrayEquals(SemanticsFixture.longs(output.path("token_type_ids").get(i)),
                    SemanticsFixture.padRight(feature.longs().get("token_type_ids"), length, 0), "type ids[" + i + "]");
        } else {
            assertFalse(output.has("token_type_ids"));
            assertFalse(feature.longs().containsKey("token_type_ids"), "token_type_ids[" + i + "]");
        }
        if (feature.longs().containsKey("labels")) {
            assertArrayEquals(new long[] {output.path("label").get(i).asLong()}, feature.longs().get("labels"));
        } else {
            // One distinct label is regression (num_labels 1) in txtai too: the value goes in as a float.
            assertArrayEquals(new float[] {(float) output.path("label").get(i).asDouble()},
                    feature.floats().get("labels"));
        }
    }

    private static List<String> columnNames(JsonNode testCase) {
        List<String> names = new ArrayList<>();
        testCase.path("columns").forEach(name -> names.add(name.asText()));
        return names;
    }

    private static void assertColumns(JsonNode expected, Columns columns) {
        assertEquals(expected.get(0).asText(), columns.text());
        assertEquals(expected.get(1).isNull() ? null : expected.get(1).asText(), columns.pair());
        assertEquals(expected.get(2).asText(), columns.target());
    }
}
