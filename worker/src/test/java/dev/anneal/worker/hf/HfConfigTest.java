package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfConfigTest {
    private static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertForSequenceClassification");

    @Test
    void readsTypedValuesWithDefaults() throws IOException {
        HfConfig config = HfConfig.read(BERT);
        assertEquals("bert", config.modelType());
        assertEquals(32, config.getInt("hidden_size", 768));
        assertEquals(1e-12, config.getDouble("layer_norm_eps", 0), 0);
        assertEquals("gelu", config.getString("hidden_act", null));
        assertTrue(config.getBoolean("tie_word_embeddings", false));
        assertEquals(7, config.getInt("not_there", 7));
        assertFalse(config.has("classifier_dropout"), "JSON null counts as unset");
        assertEquals(0.5, config.getDouble("classifier_dropout", 0.5), 0);
        assertEquals(2, config.numLabels());
        assertEquals(Map.of(0, "LABEL_0", 1, "LABEL_1"), config.id2label());
    }

    @Test
    void acceptsTransformers4And5Spellings() {
        HfConfig v4 = HfConfig.parse("{\"model_type\":\"llama\",\"torch_dtype\":\"bfloat16\",\"rope_theta\":500000.0}");
        HfConfig v5 = HfConfig.parse("{\"model_type\":\"llama\",\"dtype\":\"bfloat16\",\"rope_parameters\":{\"rope_type\":\"default\",\"rope_theta\":500000.0}}");
        for (HfConfig config : List.of(v4, v5)) {
            assertEquals("bfloat16", config.dtype("float32"));
            assertEquals("bfloat16", config.getString("torch_dtype", null));
            assertEquals(500000.0, config.ropeTheta(10000), 0);
        }
        assertEquals(10000.0, HfConfig.empty().ropeTheta(10000), 0);
        v4.set("dtype", "float32");
        assertFalse(v4.toJson().contains("torch_dtype"), "the old spelling is replaced, not duplicated");
    }

    @Test
    void wrongTypesNameTheField() {
        HfConfig config = HfConfig.parse("{\"hidden_size\":\"big\",\"num_labels\":2.5}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config.getInt("hidden_size", 1));
        assertTrue(e.getMessage().contains("hidden_size"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> config.getInt("num_labels", 1));
        assertThrows(IllegalArgumentException.class, () -> HfConfig.empty().modelType());
    }

    @Test
    void missingOrBrokenFilesFailClearly(@TempDir Path dir) throws IOException {
        assertThrows(NoSuchFileException.class, () -> HfConfig.read(dir));
        Files.writeString(dir.resolve("config.json"), "{not json");
        IOException e = assertThrows(IOException.class, () -> HfConfig.read(dir));
        assertTrue(e.getMessage().contains("config.json"), e.getMessage());
    }

    @Test
    void copyIsIndependentAndWriteRoundTrips(@TempDir Path dir) throws IOException {
        HfConfig config = HfConfig.read(BERT);
        HfConfig copy = config.copy().set("num_labels", 3).set("id2label", Map.of("0", "a", "1", "b", "2", "c"));
        assertEquals(2, config.numLabels());
        copy.write(dir);
        HfConfig back = HfConfig.read(dir);
        assertEquals(3, back.numLabels());
        assertEquals("c", back.id2label().get(2));
        String text = Files.readString(dir.resolve("config.json"));
        assertTrue(text.indexOf("\"architectures\"") < text.indexOf("\"vocab_size\""), "keys sorted");
        assertTrue(text.contains("\"hidden_size\": 32"), text);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary files left");
        }
    }
}
