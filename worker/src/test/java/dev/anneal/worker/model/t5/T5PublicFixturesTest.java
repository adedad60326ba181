package dev.anneal.worker.model.t5;

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
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.seq2seq.GreedySeq2SeqGenerator;
import dev.anneal.worker.model.seq2seq.Seq2SeqFixtures;
import dev.anneal.worker.model.seq2seq.Seq2SeqLanguageModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The third-party caikit T5 (transformers 4.27, {@code pytorch_model.bin}, read in place from ../shared)
 * and its safetensors re-save against the outputs transformers 5.18 computed (reference_outputs.json).
 * Its weights come from HF's tiny test init (initializer_factor 0.002), so outputs are small and are
 * compared relative to each tensor's largest value.
 */
class T5PublicFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Relative to the largest expected magnitude of each compared tensor. */
    private static final double SCALED_TOLERANCE = 1e-4;

    static Stream<String> models() {
        return Stream.of("t5-caikit-T5ForConditionalGeneration",
                "_resaved_safetensors/t5-caikit-T5ForConditionalGeneration-safetensors");
    }

    @ParameterizedTest
    @MethodSource("models")
    void matchesTransformersEncoderLogitsLossAndGreedyIds(String name) throws IOException {
        Path dir = Seq2SeqFixtures.publicDir().resolve(name);
        assumeTrue(Files.isDirectory(dir), "fixture " + dir + " is absent; skipping");
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = HfConfig.read(dir);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected(), "unexpected tensors");
            assertEquals(ref.get("param_count").asLong(), model.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().size()).sum(), "parameter count (shared counted once)");

            long[] ids = Seq2SeqFixtures.longArray(ref.get("input_ids"));
            long[] labels = Seq2SeqFixtures.longArray(ref.get("labels"));
            Map<String, NDArray> inputs = new LinkedHashMap<>();
            inputs.put("input_ids", manager.create(ids, new Shape(1, ids.length)));
            inputs.put("attention_mask", manager.create(Seq2SeqFixtures.longArray(ref.get("attention_mask")), new Shape(1, ids.length)));
            inputs.put("labels", manager.create(labels, new Shape(1, labels.length)));
            ModelOutput output = model.forward(new Batch(inputs), false);

            assertScaled(name + ": encoder_last_hidden_state", ref.get("encoder_last_hidden_state").get("values_row_major"),
                    output.get("encoder_last_hidden_state").toType(DataType.FLOAT64, false).toDoubleArray());
            NDArray logits = output.logits();
            JsonNode expected = ref.get("logits");
            assertEquals(new Shape(Seq2SeqFixtures.longArray(expected.get("shape"))), logits.getShape());
            double[] flat = logits.toType(DataType.FLOAT64, false).toDoubleArray();
            assertScaled(name + ": logits first 16", expected.get("first_16"), java.util.Arrays.copyOf(flat, 16));
            assertScaled(name + ": logits last 16", expected.get("last_16"),
                    java.util.Arrays.copyOfRange(flat, flat.length - 16, flat.length));
            assertScaled(name + ": last position first 16", expected.get("last_position_first_16"),
                    logits.get(0).get(-1).get("0:16").toType(DataType.FLOAT64, false).toDoubleArray());
            double sumScale = expected.get("abs_sum").asDouble();
            assertEquals(expected.get("sum").asDouble(), logits.sum().getFloat(), SCALED_TOLERANCE * sumScale, "logits sum");
            assertEquals(sumScale, logits.abs().sum().getFloat(), SCALED_TOLERANCE * sumScale, "logits abs sum");
            double want = ref.get("loss_mean_ce").asDouble();
            assertEquals(want, output.loss().getFloat(), want * 1e-5, "loss");

            long[] greedy = Seq2SeqFixtures.longArray(ref.get("greedy_generate_max_new_tokens_6"));
            Seq2SeqLanguageModel seq2seq = (Seq2SeqLanguageModel) model;
            assertEquals(greedy[0], seq2seq.decoderStartTokenId(), "generate output starts with decoder_start_token_id");
            GreedySeq2SeqGenerator.Generation generation = GreedySeq2SeqGenerator.generate(seq2seq,
                    inputs.get("input_ids"), inputs.get("attention_mask"), greedy.length - 1);
            assertArrayEquals(java.util.Arrays.copyOfRange(greedy, 1, greedy.length), generation.tokens(0), "greedy ids");
            for (double margin : generation.margins(0)) {
                // The argmax must not hinge on float noise for the comparison above to mean anything.
                assertTrue(margin > 1e-3 * expected.get("max").asDouble(), "greedy margin " + margin + " is within noise");
            }
        }
    }

    private static void assertScaled(String where, JsonNode expected, double[] actual) {
        assertEquals(expected.size(), actual.length, where + ": size");
        double scale = 0;
        for (JsonNode v : expected) {
            scale = Math.max(scale, Math.abs(v.asDouble()));
        }
        double worst = 0;
        for (int i = 0; i < actual.length; i++) {
            worst = Math.max(worst, Math.abs(actual[i] - expected.get(i).asDouble()));
        }
        assertTrue(worst <= SCALED_TOLERANCE * scale, where + ": max difference " + worst + " exceeds "
                + SCALED_TOLERANCE + " x " + scale);
    }
}
