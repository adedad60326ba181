package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsWriter;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.CheckpointMismatchException;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BertCheckpointTest {
    private static final Path GENERATED = HfReference.generatedDir().resolve("bert");
    private static final Path BASE = GENERATED.resolve("BertModel");
    private static final Path CLASSIFIER = GENERATED.resolve("BertForSequenceClassification");
    private static final Path MASKED_LM = GENERATED.resolve("BertForMaskedLM");

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void baseCheckpointLoadsIntoAClassifierWithASeededFreshHead() throws IOException {
        HfConfig config = HfConfig.read(BASE).set("num_labels", 3);
        try (TransformerModel first = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel again = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel other = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel base = ModelFamilies.create(HfConfig.read(BASE), HeadType.BASE)) {
            LoadReport report = HfCheckpoint.load(BASE, first, LoadOptions.initializeMissing(42));
            assertEquals(List.of("classifier.weight", "classifier.bias"), report.initialized());
            assertEquals(List.of(), report.unexpected());
            assertEquals(first.namedParameters().size() - 2, report.loaded().size());
            HfCheckpoint.load(BASE, again, LoadOptions.initializeMissing(42));
            HfCheckpoint.load(BASE, other, LoadOptions.initializeMissing(43));
            HfCheckpoint.load(BASE, base, LoadOptions.strict());

            float[] weight = first.namedParameters().get("classifier.weight").getArray().toFloatArray();
            assertEquals(3 * 32, weight.length);
            assertArrayEquals(weight, again.namedParameters().get("classifier.weight").getArray().toFloatArray(), "same seed");
            assertFalse(java.util.Arrays.equals(weight, other.namedParameters().get("classifier.weight").getArray().toFloatArray()));
            double std = Math.sqrt(java.util.Arrays.stream(toDoubles(weight)).map(v -> v * v).average().orElseThrow());
            assertEquals(0.2, std, 0.05, "normal(0, initializer_range=0.2)");
            assertArrayEquals(new float[3], first.namedParameters().get("classifier.bias").getArray().toFloatArray(), "zero bias");
            assertArrayEquals(base.namedParameters().get("encoder.layer.1.output.dense.weight").getArray().toFloatArray(),
                    first.namedParameters().get("bert.encoder.layer.1.output.dense.weight").getArray().toFloatArray(),
                    "backbone weights land under the bert. prefix");

            JsonNode texts = HfReference.read(BASE).cases().get(0);
            Map<String, NDArray> inputs = HfReference.batch(texts, manager, false);
            inputs.put("labels", manager.create(new long[] {0, 2, 1}));
            NDArray logits = first.forward(new Batch(inputs), false).logits();
            assertEquals(new ai.djl.ndarray.types.Shape(3, 3), logits.getShape());
        }
    }

    @Test
    void strictLoadNamesTheMissingParameters() throws IOException {
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(BASE), HeadType.SEQUENCE_CLASSIFICATION)) {
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                    () -> HfCheckpoint.load(BASE, model, LoadOptions.strict()));
            assertTrue(e.getMessage().contains("classifier.weight") && e.getMessage().contains("classifier.bias"), e.getMessage());
        }
    }

    @Test
    void headCheckpointLoadsIntoTheBareBackboneAndReportsTheHead() throws IOException {
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(CLASSIFIER), HeadType.BASE)) {
            LoadReport report = HfCheckpoint.load(CLASSIFIER, model, LoadOptions.strict());
            assertEquals(List.of("classifier.bias", "classifier.weight"), report.unexpected());
            assertEquals(model.namedParameters().size(), report.loaded().size());
        }
    }

    @Test
    void shapeMismatchFailsWithBothShapes() throws IOException {
        HfConfig config = HfConfig.read(CLASSIFIER).set("num_labels", 5);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION)) {
            CheckpointMismatchException e = assertThrows(CheckpointMismatchException.class,
                    () -> HfCheckpoint.load(CLASSIFIER, model, LoadOptions.initializeMissing(1)));
            assertTrue(e.getMessage().contains("classifier.weight: checkpoint (2, 32), model (5, 32)"), e.getMessage());
        }
    }

    @Test
    void tiedDecoderIsOneTensorAndLegacyNamesLoad(@TempDir Path dir) throws IOException {
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(MASKED_LM), HeadType.MASKED_LM)) {
            assertEquals(Map.of("cls.predictions.decoder.weight", "bert.embeddings.word_embeddings.weight",
                    "cls.predictions.decoder.bias", "cls.predictions.bias"), model.tiedParameters());
            assertFalse(model.namedParameters().containsKey("cls.predictions.decoder.weight"));
        }
        // An old-style checkpoint: LayerNorm.gamma/beta, a position_ids buffer, and the tied decoder stored
        // under its own name instead of the word embeddings.
        Map<String, NDArray> old = new LinkedHashMap<>();
        SafetensorsReader reader = SafetensorsReader.open(MASKED_LM);
        for (String name : reader.names()) {
            String renamed = name.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta");
            if (name.equals("bert.embeddings.word_embeddings.weight")) {
                renamed = "cls.predictions.decoder.weight";
            }
            old.put(renamed, reader.read(name, manager, DataType.FLOAT32));
        }
        old.put("bert.embeddings.position_ids", manager.arange(0, 128, 1, DataType.INT64).reshape(1, 128));
        SafetensorsWriter.write(dir.resolve("model.safetensors"), old);
        Files.copy(MASKED_LM.resolve("config.json"), dir.resolve("config.json"));
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(dir), HeadType.MASKED_LM)) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected());
            assertEquals(List.of("bert.embeddings.position_ids"), report.ignored());
            HfReference.read(MASKED_LM).assertParameterStatistics(model);
        }
    }

    @Test
    void tokenTypeIdsChangeTheOutput() throws IOException {
        JsonNode pairs = HfReference.read(BASE).cases().get(1);
        assertEquals("pairs", pairs.get("name").asText());
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(BASE), HeadType.BASE)) {
            HfCheckpoint.load(BASE, model, LoadOptions.strict());
            Map<String, NDArray> inputs = HfReference.batch(pairs, manager, false);
            NDArray without = model.forward(new Batch(inputs), false).get("last_hidden_state");
            JsonNode typeIds = pairs.get("encoding").get("token_type_ids");
            long[][] types = new long[typeIds.size()][];
            for (int i = 0; i < types.length; i++) {
                types[i] = new long[typeIds.get(i).size()];
                for (int j = 0; j < types[i].length; j++) {
                    types[i][j] = typeIds.get(i).get(j).asLong();
                }
            }
            inputs.put("token_type_ids", manager.create(types));
            NDArray with = model.forward(new Batch(inputs), false).get("last_hidden_state");
            // The first segment ([CLS] A [SEP], type 0) sees type-1 keys too, so every position changes.
            assertTrue(with.sub(without).abs().max().getFloat() > 0.1f);
        }
    }

    @Test
    void dropoutOnlyWhenTraining() throws IOException {
        JsonNode texts = HfReference.read(CLASSIFIER).cases().get(0);
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(CLASSIFIER), HeadType.SEQUENCE_CLASSIFICATION)) {
            HfCheckpoint.load(CLASSIFIER, model, LoadOptions.strict());
            Batch batch = new Batch(HfReference.batch(texts, manager, false));
            NDArray eval1 = model.forward(batch, false).logits();
            NDArray eval2 = model.forward(batch, false).logits();
            assertArrayEquals(eval1.toFloatArray(), eval2.toFloatArray());
            NDArray train = model.forward(batch, true).logits();
            assertFalse(java.util.Arrays.equals(eval1.toFloatArray(), train.toFloatArray()));
        }
    }

    @Test
    void saveReplacesADirectoryWithoutLeavingTemporaries(@TempDir Path parent) throws IOException {
        Path target = parent.resolve("model");
        Files.createDirectories(target);
        Files.writeString(target.resolve("stale.txt"), "old");
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(CLASSIFIER), HeadType.SEQUENCE_CLASSIFICATION)) {
            HfCheckpoint.load(CLASSIFIER, model, LoadOptions.strict());
            HfCheckpoint.save(model, target);
        }
        assertFalse(Files.exists(target.resolve("stale.txt")));
        assertTrue(Files.isRegularFile(target.resolve("model.safetensors")));
        try (Stream<Path> entries = Files.list(parent)) {
            assertEquals(List.of(target), entries.toList(), "no staging or old directories left");
        }
        HfConfig saved = HfConfig.read(target);
        assertEquals("float32", saved.getString("dtype", null));
        assertEquals("BertForSequenceClassification", saved.getNode("architectures").get(0).asText());
    }

    @Test
    void registryRefusesUnsupportedTypesAndHeadsWithInvalidArgument() {
        assertInstanceOf(BertFamily.class, ModelFamilies.forModelType("bert"));
        RunFailure unknown = assertThrows(RunFailure.class, () -> ModelFamilies.requireSupported("mamba", HeadType.CAUSAL_LM));
        assertEquals(Status.Code.INVALID_ARGUMENT, unknown.code());
        assertTrue(unknown.getMessage().contains("mamba") && unknown.getMessage().contains("bert"), unknown.getMessage());
        RunFailure head = assertThrows(RunFailure.class, () -> ModelFamilies.requireSupported("bert", HeadType.SEQ2SEQ_LM));
        assertEquals(Status.Code.INVALID_ARGUMENT, head.code());
        assertTrue(head.getMessage().contains("SEQUENCE_CLASSIFICATION") && head.getMessage().contains("SEQ2SEQ_LM"), head.getMessage());
    }

    @Test
    void unsupportedActivationOrPositionTypeIsAClearError() throws IOException {
        HfConfig config = HfConfig.read(BASE).set("hidden_act", "mish");
        IllegalArgumentException act = assertThrows(IllegalArgumentException.class, () -> ModelFamilies.create(config, HeadType.BASE));
        assertTrue(act.getMessage().contains("mish"), act.getMessage());
        HfConfig relative = HfConfig.read(BASE).set("position_embedding_type", "relative_key");
        IllegalArgumentException pos = assertThrows(IllegalArgumentException.class, () -> ModelFamilies.create(relative, HeadType.BASE));
        assertTrue(pos.getMessage().contains("position_embedding_type"), pos.getMessage());
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }
}
