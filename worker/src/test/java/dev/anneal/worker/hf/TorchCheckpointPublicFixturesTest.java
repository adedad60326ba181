package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The real third-party {@code pytorch_model.bin} files in ../shared (caikit's BERT and T5, written by
 * transformers 4.27 / torch 1.x), read in place and never copied.
 */
class TorchCheckpointPublicFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Path publicDir() {
        String shared = System.getProperty("anneal.shared.dir");
        assumeTrue(shared != null, "anneal.shared.dir is not set; skipping the read-only public fixtures");
        Path dir = Path.of(shared, "hf-fixtures", "public");
        assumeTrue(Files.isDirectory(dir), "no public fixtures at " + dir + "; skipping (a fresh clone has none)");
        return dir;
    }

    /** Every tensor of the transformers re-save is bit-equal to the same name read from the .bin. */
    @ParameterizedTest
    @ValueSource(strings = {"bert-caikit-BertForSequenceClassification", "t5-caikit-T5ForConditionalGeneration"})
    void binTensorsEqualTheirSafetensorsResave(String name) throws IOException {
        Path bin = publicDir().resolve(name);
        Path resaved = publicDir().resolve("_resaved_safetensors").resolve(name + "-safetensors");
        assumeTrue(Files.isDirectory(bin) && Files.isDirectory(resaved), "fixture absent; skipping");
        CheckpointTensors torch = CheckpointTensors.open(bin);
        CheckpointTensors safetensors = CheckpointTensors.open(resaved);
        assertEquals(TorchPickleReader.SINGLE_FILE, torch.format());
        assertEquals(SafetensorsReader.SINGLE_FILE, safetensors.format());
        Set<String> extra = new HashSet<>(torch.names());
        extra.removeAll(safetensors.names());
        assertTrue(torch.names().containsAll(safetensors.names()), "the .bin lacks tensors of the re-save");
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String tensor : safetensors.names()) {
                assertArrayEquals(safetensors.shape(tensor), torch.shape(tensor), tensor);
                assertEquals(safetensors.dtype(tensor), torch.dtype(tensor), tensor);
                NDArray a = torch.read(tensor, manager, DataType.FLOAT32);
                NDArray b = safetensors.read(tensor, manager, DataType.FLOAT32);
                assertTrue(a.contentEquals(b), tensor + " differs between the .bin and its safetensors re-save");
            }
        }
        // What the re-save dropped are tied copies and the position_ids buffer, nothing else.
        for (String dropped : extra) {
            assertTrue(dropped.endsWith("embed_tokens.weight") || dropped.equals("lm_head.weight")
                    || dropped.endsWith("position_ids"), "unexpected extra tensor " + dropped);
        }
    }

    /** The BERT family loads caikit's .bin through this reader and matches transformers. */
    @Test
    void bertSequenceClassifierFromBinMatchesTransformers() throws IOException {
        Path dir = publicDir().resolve("bert-caikit-BertForSequenceClassification");
        assumeTrue(Files.isDirectory(dir), "fixture absent; skipping");
        assertTrue(Files.isRegularFile(dir.resolve(TorchPickleReader.SINGLE_FILE)) && !SafetensorsReader.hasWeights(dir));
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = HfConfig.read(dir);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected());
            assertEquals(List.of(), report.initialized());
            assertEquals(ref.get("param_count").asLong(), model.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().size()).sum());
            Map<String, NDArray> inputs = new LinkedHashMap<>();
            for (String key : List.of("input_ids", "attention_mask", "token_type_ids")) {
                long[] row = longs(ref.get(key));
                inputs.put(key, manager.create(row, new Shape(1, row.length)));
            }
            inputs.put("labels", manager.create(longs(ref.get("labels")), new Shape(1)));
            ModelOutput output = model.forward(new Batch(inputs), false);
            double[] logits = output.logits().toType(DataType.FLOAT64, false).toDoubleArray();
            JsonNode expected = ref.get("logits").get("values_row_major");
            for (int i = 0; i < logits.length; i++) {
                double want = expected.get(i).asDouble();
                assertEquals(want, logits[i], 1e-5 * (1 + Math.abs(want)), "logits[" + i + "]");
            }
            double loss = ref.get("loss_mean_ce").asDouble();
            assertEquals(loss, output.loss().getFloat(), loss * 1e-5, "loss");
        }
    }

    private static long[] longs(JsonNode values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asLong();
        }
        return out;
    }
}
