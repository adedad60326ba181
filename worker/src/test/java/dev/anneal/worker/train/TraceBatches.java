package dev.anneal.worker.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The HF Trainer traces in fixtures/hf/traces: txtai's processed rows and the batches its collators made. */
final class TraceBatches {
    static final Path HF = Path.of("..", "fixtures", "hf");
    private static final ObjectMapper JSON = new ObjectMapper();

    private TraceBatches() {
    }

    static JsonNode trace(String name) {
        try {
            return JSON.readTree(HF.resolve("traces").resolve(name).resolve("trace.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static HfConfig config(String model) {
        try {
            return HfConfig.read(HF.resolve("generated").resolve(model));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The model's tokenizer, with pad = eos when it has none (as HFTrainer sets it). */
    static TextTokenizer tokenizer(String model) {
        Path dir = HF.resolve("generated").resolve(model);
        TokenizerSettings settings = TokenizerSettings.read(dir);
        if (settings.padToken() == null) {
            settings = settings.withPadToken(settings.eosToken());
        }
        return TextTokenizer.load(dir, settings, 128);
    }

    /** The processed rows a micro-batch took, as features (the columns of dataset.processed). */
    static List<Feature> rows(JsonNode trace, JsonNode microBatch) {
        JsonNode processed = trace.path("dataset").path("processed");
        List<Feature> features = new ArrayList<>();
        for (JsonNode row : microBatch.path("rows")) {
            Map<String, long[]> longs = new LinkedHashMap<>();
            for (Iterator<String> names = processed.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                longs.put(name, longs(processed.path(name).get(row.asInt())));
            }
            features.add(new Feature(longs, Map.of()));
        }
        return features;
    }

    static long[] longs(JsonNode array) {
        long[] values = new long[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asLong();
        }
        return values;
    }

    /** A [rows][columns] JSON matrix, row-major. */
    static long[] flat(JsonNode matrix) {
        List<Long> values = new ArrayList<>();
        matrix.forEach(row -> row.forEach(value -> values.add(value.asLong())));
        return values.stream().mapToLong(Long::longValue).toArray();
    }
}
