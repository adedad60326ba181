package dev.anneal.worker.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Reads fixtures/hf/txtai-semantics and opens the generated tokenizers the way the pipeline does. */
final class SemanticsFixture {
    static final Path HF = Path.of("..", "fixtures", "hf");
    private static final ObjectMapper JSON = new ObjectMapper();

    private SemanticsFixture() {
    }

    static JsonNode read(String file) {
        try {
            return JSON.readTree(HF.resolve("txtai-semantics").resolve(file).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A generated tokenizer ("generated/tokenizers/..."); a missing pad token becomes eos, as SET_PAD_TOKEN does. */
    static TextTokenizer tokenizer(String relative, int maxLength) {
        Path dir = HF.resolve(relative);
        TokenizerSettings settings = TokenizerSettings.read(dir);
        if (settings.padToken() == null) {
            settings = settings.withPadToken(settings.eosToken());
        }
        return TextTokenizer.load(dir, settings, maxLength);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> rows(JsonNode rows) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (JsonNode row : rows) {
            list.add(JSON.convertValue(row, Map.class));
        }
        return list;
    }

    /** A JSON value as the row readers give it (Integer/Long, Double, String, Boolean, List). */
    static Object value(JsonNode node) {
        return JSON.convertValue(node, Object.class);
    }

    static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    static long[][] matrix(JsonNode rows) {
        long[][] values = new long[rows.size()][];
        for (int i = 0; i < values.length; i++) {
            values[i] = longs(rows.get(i));
        }
        return values;
    }

    /** {@code values} padded on the right to {@code length} with {@code pad}, as txtai's padding=True did. */
    static long[] padRight(long[] values, int length, long pad) {
        long[] padded = Arrays.copyOf(values, Math.max(length, values.length));
        Arrays.fill(padded, values.length, padded.length, pad);
        return padded;
    }

    /** Tokenizes rows through a task the way TOKENIZE does: row by row, then the task's merge. */
    static List<Feature> process(TrainingTask task, Columns columns, List<Map<String, Object>> rows,
            TextTokenizer tokenizer) {
        List<Feature> features = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            features.addAll(task.features(columns, rows.get(i), i, "train.rows", tokenizer));
        }
        return features;
    }
}
