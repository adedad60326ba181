package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
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
 * Third-party BERT checkpoints (read in place from ../shared, never copied) against the outputs and one
 * SGD step that transformers computed for them (reference_outputs.json, dropout forced to 0).
 */
class BertPublicFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> models() {
        return Stream.of("bert-trustyai-BertForSequenceClassification", "bert-trustyai-BertForTokenClassification",
                "bert-lmbuddy-bert_tiniest", "_resaved_safetensors/bert-caikit-BertForSequenceClassification-safetensors",
                "bert-caikit-BertForSequenceClassification");
    }

    static Path publicDir() {
        String shared = System.getProperty("anneal.shared.dir");
        assumeTrue(shared != null, "anneal.shared.dir is not set; skipping the read-only public fixtures");
        Path dir = Path.of(shared, "hf-fixtures", "public");
        assumeTrue(Files.isDirectory(dir), "no public fixtures at " + dir + "; skipping (a fresh clone has none)");
        return dir;
    }

    /** The last one is the original pytorch_model.bin (torch zip pickle), read by the restricted unpickler. */
    @ParameterizedTest
    @MethodSource("models")
    void matchesTransformersForwardAndOneSgdStep(String name) throws IOException {
        Path dir = publicDir().resolve(name);
        assumeTrue(Files.isDirectory(dir), "fixture " + dir + " is absent; skipping");
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = HfConfig.read(dir);
        ref.get("dropout_config_values_forced_to_0").fieldNames().forEachRemaining(k -> config.set(k, 0.0));
        String architecture = ref.get("config_architecture").asText();
        HeadType head = EncoderGeneratedFixturesTest.headOf("bert", architecture);
        try (TransformerModel model = ModelFamilies.create(config, head); NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected());
            assertEquals(ref.get("param_count").asLong(), model.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().size()).sum(), "parameter count (tied counted once)");

            Map<String, NDArray> inputs = new LinkedHashMap<>();
            for (String key : List.of("input_ids", "attention_mask", "token_type_ids")) {
                inputs.put(key, row(manager, ref.get(key)));
            }
            long seq = inputs.get("input_ids").getShape().get(1);
            NDArray labels;
            String lossKey;
            switch (head) {
                case SEQUENCE_CLASSIFICATION -> {
                    labels = manager.create(new long[] {1});
                    lossKey = "loss_mean_ce";
                }
                case TOKEN_CLASSIFICATION -> {
                    long[] ids = new long[(int) seq];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = i % config.numLabels();
                    }
                    labels = manager.create(ids, new Shape(1, seq));
                    lossKey = "loss_mean_ce";
                }
                default -> {
                    labels = inputs.get("input_ids");
                    lossKey = "loss_mean_ce_labels_eq_input_ids(shifted_internally)";
                }
            }
            ModelOutput eval = model.forward(new Batch(inputs), false);
            assertLogits(ref.get("logits"), eval.logits());

            Map<String, NDArray> withLabels = new LinkedHashMap<>(inputs);
            withLabels.put("labels", labels);
            assertRelative(ref.get(lossKey).asDouble(), model.forward(new Batch(withLabels), false).loss(), 1e-5, "loss");

            JsonNode sgd = ref.get("finetune").get("sgd");
            sgdStep(model, new Batch(withLabels), sgd);
        }
    }

    /** One SGD(lr=0.1) step in train mode; checks the loss, the global gradient norm and the loss after. */
    private static void sgdStep(TransformerModel model, Batch batch, JsonNode sgd) {
        List<Parameter> params = List.copyOf(model.namedParameters().values());
        params.forEach(p -> p.getArray().setRequiresGradient(true));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = model.forward(batch, true).loss();
            assertRelative(sgd.get("loss_before").asDouble(), loss, 1e-5, "train-mode loss");
            collector.backward(loss);
        }
        double squares = 0;
        for (Parameter p : params) {
            squares += p.getArray().getGradient().toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        double expectedNorm = sgd.get("global_grad_l2_norm").asDouble();
        assertEquals(expectedNorm, Math.sqrt(squares), expectedNorm * 1e-4, "global gradient L2 norm");
        for (Parameter p : params) {
            NDArray array = p.getArray();
            array.subi(array.getGradient().mul(0.1f));
        }
        double after = sgd.get("loss_after_1_step").asDouble();
        assertRelative(after, model.forward(batch, false).loss(), 1e-4, "loss after one SGD step");
    }

    private static void assertLogits(JsonNode expected, NDArray logits) {
        long[] shape = new long[expected.get("shape").size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = expected.get("shape").get(i).asLong();
        }
        assertEquals(new Shape(shape), logits.getShape());
        float[] flat = logits.toFloatArray();
        if (expected.has("values_row_major")) {
            assertClose(expected.get("values_row_major"), flat, 0, "logits");
        } else {
            assertClose(expected.get("first_16"), flat, 0, "logits first 16");
            assertClose(expected.get("last_16"), flat, flat.length - 16, "logits last 16");
            long vocab = shape[2];
            NDArray first = logits.get(0);
            assertArrayEquals(longs(expected.get("argmax_per_position")), first.argMax(-1).toLongArray(), "argmax per position");
            NDArray max = first.max(new int[] {-1}, true);
            float[] logsumexp = first.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1)).toFloatArray();
            assertClose(expected.get("logsumexp_per_position"), logsumexp, 0, "logsumexp per position");
            assertClose(expected.get("last_position_first_16"), first.get(shape[1] - 1).get("0:16").toFloatArray(), 0, "last position");
            assertTrue(vocab > 16);
        }
        double absSum = logits.abs().toType(DataType.FLOAT64, false).sum().getDouble();
        assertEquals(expected.get("abs_sum").asDouble(), absSum, 1e-5 * expected.get("abs_sum").asDouble() + 1e-5, "logits abs sum");
    }

    private static void assertClose(JsonNode expected, float[] actual, int offset, String what) {
        for (int i = 0; i < expected.size(); i++) {
            double want = expected.get(i).asDouble();
            assertEquals(want, actual[offset + i], 1e-5 + 1e-5 * Math.abs(want), what + " element " + i);
        }
    }

    private static void assertRelative(double expected, NDArray actual, double relative, String what) {
        assertEquals(expected, actual.getFloat(), Math.abs(expected) * relative, what);
    }

    private static NDArray row(NDManager manager, JsonNode values) {
        long[] data = longs(values);
        return manager.create(data, new Shape(1, data.length));
    }

    private static long[] longs(JsonNode values) {
        long[] data = new long[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i).asLong();
        }
        return data;
    }
}
