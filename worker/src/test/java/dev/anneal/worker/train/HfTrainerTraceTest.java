package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.task.Feature;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replays Hugging Face Trainer traces (fixtures/hf/traces, recorded from txtai's HFTrainer; the causal LM and
 * seq2seq traces are replayed by the GPT-2 and T5 tests): the same
 * start weights and the exact recorded batches must give the recorded loss, learning rate and pre-clip
 * grad norm at every step, and the recorded parameter statistics after steps 1, 10 and 30.
 */
class HfTrainerTraceTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path TRACES = Path.of("..", "fixtures", "hf", "traces");
    static final Path FIXTURES = Path.of("..", "fixtures", "hf");

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "text-classification, SEQUENCE_CLASSIFICATION",
        "text-classification-ga2-cosine, SEQUENCE_CLASSIFICATION",
        "language-modeling, MASKED_LM",
    })
    void replaysTrace(String name, HeadType head) throws Exception {
        JsonNode trace = JSON.readTree(TRACES.resolve(name).resolve("trace.json").toFile());
        HfConfig config = HfConfig.read(TRACES.resolve(name).resolve("config_used.json"));
        try (TransformerModel model = ModelFamilies.create(config, head)) {
            HfCheckpoint.load(FIXTURES.resolve(trace.at("/model/dir").asText()), model, LoadOptions.strict());
            TrainingArgs args = TrainingArgs.resolve(arguments(trace.get("resolved_training_arguments")));
            List<Feature> features = features(trace.at("/dataset/processed"));
            PaddingCollator collator = new PaddingCollator(0, "right");
            assertDataOrder(trace, features.size(), args);
            try (TrainingLoop loop = new TrainingLoop(model, features, collator, args, new Cancellation())) {
                assertEquals(trace.at("/schedule/total_optimizer_steps_planned").asLong(), loop.plan().totalSteps());
                replaySteps(trace, loop, model);
            }
        }
    }

    /**
     * Drives {@code loop} through the trace's recorded batches, step by step, asserting the learning rate, loss
     * and grad norm of each step and the recorded parameter statistics of {@code model} where there are some.
     */
    static void replaySteps(JsonNode trace, TrainingLoop loop, TransformerModel model) {
        JsonNode microBatches = trace.get("micro_batches");
        for (JsonNode step : trace.get("steps")) {
            List<JsonNode> recorded = new ArrayList<>();
            step.get("micro_batches").forEach(i -> recorded.add(microBatches.get(i.asInt()).get("batch")));
            TrainingLoop.StepResult result = loop.step(new TrainingLoop.MicroBatches() {
                @Override
                public int size() {
                    return recorded.size();
                }

                @Override
                public Batch collate(int index, NDManager scope) {
                    return batch(recorded.get(index), scope);
                }
            });
            int number = step.get("step").asInt();
            // The trace rounds to 7 significant digits, so the closed-form rate matches to 5e-7.
            assertRelative(step.get("learning_rate").asDouble(), result.learningRate(), 5e-7, "lr at step " + number);
            assertRelative(step.get("loss").asDouble(), result.loss(), 1e-4, "loss at step " + number);
            assertRelative(step.get("grad_norm").asDouble(), result.gradNorm(), 1e-4, "grad norm at step " + number);
            JsonNode parameters = trace.at("/parameters/after_step_" + number);
            if (!parameters.isMissingNode()) {
                assertParameters(model, parameters, number);
            }
        }
    }

    /** Anneal's epoch order is accelerate's: torch.randperm(n) from a generator seeded with seed + epoch. */
    private static void assertDataOrder(JsonNode trace, int rows, TrainingArgs args) {
        long[] order = EpochOrder.permutation(rows, args.seed());
        List<Long> recorded = new ArrayList<>();
        for (JsonNode micro : trace.get("micro_batches")) {
            micro.get("rows").forEach(r -> recorded.add(r.asLong()));
        }
        long[] expected = recorded.stream().mapToLong(Long::longValue).toArray();
        long[] actual = java.util.Arrays.copyOf(order, Math.min(order.length, expected.length));
        assertArrayEquals(java.util.Arrays.copyOf(expected, actual.length), actual, "epoch 0 row order");
    }

    static void assertParameters(TransformerModel model, JsonNode expected, int step) {
        Map<String, Parameter> parameters = model.namedParameters();
        expected.fields().forEachRemaining(entry -> {
            String name = entry.getKey();
            Parameter parameter = parameters.get(name);
            assertTrue(parameter != null, "no parameter " + name);
            if (name.endsWith("attention.self.key.bias")) {
                return; // Its true gradient is zero; Adam turns float noise into arbitrary steps (traces/README.md).
            }
            NDArray array = parameter.getArray();
            try (NDArray asDouble = array.toType(DataType.FLOAT64, true)) {
                double sum = asDouble.sum().getDouble();
                double l2 = Math.sqrt(asDouble.square().sum().getDouble());
                double expectedL2 = entry.getValue().get("l2").asDouble();
                assertRelative(expectedL2, l2, 1e-5, name + " l2 after step " + step);
                assertEquals(entry.getValue().get("sum").asDouble(), sum, 1e-5 * expectedL2 + 1e-7,
                        name + " sum after step " + step);
            }
        });
    }

    static Batch batch(JsonNode recorded, NDManager scope) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        recorded.fields().forEachRemaining(entry -> tensors.put(entry.getKey(), longs(entry.getValue(), scope)));
        return new Batch(tensors);
    }

    static NDArray longs(JsonNode node, NDManager scope) {
        if (!node.get(0).isArray()) {
            long[] values = new long[node.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = node.get(i).asLong();
            }
            return scope.create(values);
        }
        int rows = node.size();
        int columns = node.get(0).size();
        long[] values = new long[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                values[r * columns + c] = node.get(r).get(c).asLong();
            }
        }
        return scope.create(values, new Shape(rows, columns));
    }

    static List<Feature> features(JsonNode processed) {
        List<Feature> features = new ArrayList<>();
        for (int row = 0; row < processed.get("input_ids").size(); row++) {
            Map<String, long[]> longs = new LinkedHashMap<>();
            for (String column : List.of("input_ids", "token_type_ids", "attention_mask")) {
                JsonNode values = processed.get(column).get(row);
                long[] array = new long[values.size()];
                for (int i = 0; i < array.length; i++) {
                    array[i] = values.get(i).asLong();
                }
                longs.put(column, array);
            }
            if (processed.has("label")) {
                longs.put("labels", new long[] {processed.get("label").get(row).asLong()});
            }
            features.add(new Feature(longs, Map.of()));
        }
        return features;
    }

    static TrainingArguments arguments(JsonNode resolved) {
        return TrainingArguments.newBuilder()
                .setNumTrainEpochs(resolved.get("num_train_epochs").asDouble())
                .setMaxSteps(resolved.get("max_steps").asLong() > 0 ? resolved.get("max_steps").asLong() : -1)
                .setPerDeviceTrainBatchSize(resolved.get("per_device_train_batch_size").asInt())
                .setGradientAccumulationSteps(resolved.get("gradient_accumulation_steps").asInt())
                .setLearningRate(resolved.get("learning_rate").asDouble())
                .setLrSchedulerType(resolved.get("lr_scheduler_type").asText())
                .setWarmupSteps(resolved.get("warmup_steps").asLong())
                .setWeightDecay(resolved.get("weight_decay").asDouble())
                .setAdamBeta1(resolved.get("adam_beta1").asDouble())
                .setAdamBeta2(resolved.get("adam_beta2").asDouble())
                .setAdamEpsilon(resolved.get("adam_epsilon").asDouble())
                .setMaxGradNorm(resolved.get("max_grad_norm").asDouble())
                .setSeed(resolved.get("seed").asLong())
                .build();
    }

    static void assertRelative(double expected, double actual, double tolerance, String what) {
        double scale = Math.max(Math.abs(expected), 1e-12);
        assertTrue(Math.abs(expected - actual) <= tolerance * scale + 1e-12,
                what + ": expected " + expected + " got " + actual);
    }
}
