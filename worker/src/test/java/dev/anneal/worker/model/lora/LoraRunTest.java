package dev.anneal.worker.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.QuantizeConfig;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * LoRA through the whole pipeline: txtai's basic scenario ({@code HFTrainer()(base, data, lora=...)}, then
 * "cat" is label 1) saves a PEFT adapter directory that, attached to the base, labels the animals; a run resumed
 * from a checkpoint equals the uninterrupted run, on a full-precision or a 4-bit base (QLoRA); and a LoRA job
 * used as {@code base} starts from its adapter merged into its base. The base is the generated random-init BERT, so the learning rate is raised above
 * txtai's default as in the other scenario tests.
 */
class LoraRunTest {
    private static final Path BERT = HfReference.generatedDir().resolve("bert/BertModel").toAbsolutePath();
    private static final TrainingArguments ARGS = TrainingArguments.newBuilder().setNumTrainEpochs(1)
            .setLearningRate(5e-3).setPerDeviceTrainBatchSize(16).setLoggingSteps(5).build();

    private static TrainRequest.Builder basic() {
        return TrainRequest.newBuilder().setBase(BERT.toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(100)))
                .setLora(dev.anneal.api.v1.LoraConfig.getDefaultInstance())
                .setArgs(ARGS);
    }

    @Test
    void learnsTxtaisBasicScenarioAndSavesAPeftAdapter(@TempDir Path jobs) throws Exception {
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment job = run(basic().setValidation(Dataset.newBuilder().setRows(AnimalRows.times(2)))
                .addMetrics("accuracy").setArgs(ARGS.toBuilder().setSaveStrategy("steps").setSaveSteps(10))
                .build(), jobs, "lora-job", JobState.SUCCEEDED, events, -1);
        Path model = job.modelDir();
        assertTrue(Files.isRegularFile(model.resolve(LoraConfig.FILE_NAME)));
        assertTrue(Files.isRegularFile(model.resolve(LoraModel.WEIGHTS_FILE)));
        assertTrue(Files.isRegularFile(model.resolve("tokenizer.json")));
        assertTrue(Files.isRegularFile(model.resolve("trainer_state.json")));
        assertFalse(Files.exists(model.resolve("config.json")), "a LoRA job saves the adapter, not a model");
        assertFalse(Files.exists(model.resolve(HfCheckpoint.WEIGHTS_FILE)), "a LoRA job saves the adapter, not a model");

        JsonNode config = new ObjectMapper().readTree(model.resolve(LoraConfig.FILE_NAME).toFile());
        assertEquals(16, config.get("r").asInt());
        assertEquals(8, config.get("lora_alpha").asInt());
        assertEquals("SEQ_CLS", config.get("task_type").asText());
        assertEquals(BERT.toString(), config.get("base_model_name_or_path").asText());
        List<String> names = new ArrayList<>(SafetensorsReader.open(model.resolve(LoraModel.WEIGHTS_FILE)).names());
        assertTrue(names.contains("base_model.model.classifier.weight"), names::toString);
        assertTrue(names.stream().allMatch(n -> n.endsWith(".lora_A.weight") || n.endsWith(".lora_B.weight")
                || n.startsWith("base_model.model.classifier.")), names::toString);

        assertEquals(1, topLabel(model, "cat"));
        assertEquals(1, topLabel(model, "Cats"));
        assertEquals(0, topLabel(model, "dog"));
        TrainEvent finished = events.get(events.size() - 1);
        assertEquals(1.0, finished.getFinished().getMetricsOrThrow("eval_accuracy"), 1e-9, finished::toString);
        assertTrue(events.stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage().startsWith("LoRA r=16 alpha=8.0")
                && e.getLog().getMessage().contains("trainable params: ")), "APPLY_LORA reports what trains");
        try (Stream<Path> checkpoints = Files.list(job.checkpointsDir())) {
            for (Path checkpoint : checkpoints.filter(Files::isDirectory).toList()) {
                assertTrue(SafetensorsReader.open(checkpoint.resolve(HfCheckpoint.WEIGHTS_FILE)).names().stream()
                        .allMatch(n -> n.startsWith("base_model.model.") && n.contains(".default.")),
                        checkpoint + " holds more than the adapters and the head");
            }
        }
    }

    @Test
    void qloraLearnsTheBasicScenarioOnA4BitBase(@TempDir Path jobs) throws Exception {
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment job = run(basic().setQuantize(QuantizeConfig.getDefaultInstance())
                .setValidation(Dataset.newBuilder().setRows(AnimalRows.times(2))).addMetrics("accuracy").build(),
                jobs, "qlora-job", JobState.SUCCEEDED, events, -1);
        TrainEvent finished = events.get(events.size() - 1);
        assertEquals(1.0, finished.getFinished().getMetricsOrThrow("eval_accuracy"), 1e-9, finished::toString);
        String quantized = events.stream().filter(e -> e.hasLog() && e.getLog().getMessage().startsWith("quantized "))
                .map(e -> e.getLog().getMessage()).findFirst().orElseThrow();
        // BERT's 13 linear layers but the classifier: 4-bit weights plus a float scale per 64 take 7.1x less.
        assertTrue(quantized.startsWith("quantized 13 linear layers to 4-bit nf4: ") && quantized.endsWith("(7.1x less)"),
                quantized);
        assertTrue(Files.isRegularFile(job.modelDir().resolve(LoraModel.WEIGHTS_FILE)));
        assertFalse(Files.exists(job.modelDir().resolve("config.json")));
    }

    @ParameterizedTest(name = "quantize={0}")
    @ValueSource(booleans = {false, true})
    void resumedLoraRunEqualsUninterruptedRun(boolean quantize, @TempDir Path jobs) throws Exception {
        TrainRequest.Builder builder = basic().setTrain(Dataset.newBuilder().setRows(AnimalRows.times(25)))
                .setLora(dev.anneal.api.v1.LoraConfig.newBuilder().setR(4).setLoraAlpha(16).setLoraDropout(0.1)
                        .addTargetModules("query").addTargetModules("value"))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(8).setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(8).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1).setSaveTotalLimit(2));
        if (quantize) {
            builder.setQuantize(QuantizeConfig.newBuilder().setBnb4BitQuantType("fp4"));
        }
        TrainRequest request = builder.build();
        Map<Long, Double> full = losses(run(request, jobs, "full", JobState.SUCCEEDED, -1));
        losses(run(request, jobs, "resumed", JobState.CANCELLED, 3));
        Map<Long, Double> resumed = losses(run(request.toBuilder().setCheckpoint("latest").build(), jobs, "resumed",
                JobState.SUCCEEDED, -1));
        assertEquals(full.size() - 3, resumed.size(), resumed::toString);
        resumed.forEach((step, loss) -> assertEquals(full.get(step), loss, 0.0, "loss at step " + step));
        assertArrayEquals(Files.readAllBytes(jobs.resolve("full/model/" + LoraModel.WEIGHTS_FILE)),
                Files.readAllBytes(jobs.resolve("resumed/model/" + LoraModel.WEIGHTS_FILE)), "final adapters differ");
    }

    @Test
    void aLoraJobAsBaseStartsFromItsAdapterMergedIntoItsBase(@TempDir Path jobs) throws Exception {
        Path adapter = run(basic().setArgs(ARGS.toBuilder().setMaxSteps(5)).build(), jobs, "adapter-job",
                JobState.SUCCEEDED, new ArrayList<>(), -1).modelDir();
        // A learning rate of 0 leaves the weights as loaded: the saved model is the merged starting point.
        List<TrainEvent> events = new ArrayList<>();
        Path merged = run(TrainRequest.newBuilder().setBase("job:adapter-job")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(4)))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(1).setLearningRate(0)).build(),
                jobs, "full-job", JobState.SUCCEEDED, events, -1).modelDir();
        assertTrue(events.stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage()
                .equals("merged the LoRA adapter " + adapter.toAbsolutePath().normalize() + " into the base weights")));
        for (String text : List.of("cat", "Dogs")) {
            float[] expected = logits(adapter, text);
            float[] actual = logits(merged, text);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5, text + " logit " + i);
            }
        }
        // LoRA on top of a LoRA job: the new adapter names the job as its base and is applied after the merge.
        Path chained = run(basic().setBase("job:adapter-job").setArgs(ARGS.toBuilder().setMaxSteps(2)).build(),
                jobs, "chained-job", JobState.SUCCEEDED, new ArrayList<>(), -1).modelDir();
        assertEquals("job:adapter-job", LoraConfig.baseModelOf(chained));

        // Only base merges adapters: a teacher from a LoRA job would be its base without the adapter.
        List<TrainEvent> refused = new ArrayList<>();
        run(TrainRequest.newBuilder().setBase(BERT.toString()).setTeacher("job:adapter-job")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(1))).build(), jobs, "teacher-job",
                JobState.FAILED, refused, -1);
        assertEquals("teacher: job adapter-job saved a LoRA adapter, not a model; only base can start from it",
                refused.get(refused.size() - 1).getFinished().getError().getMessage());
    }

    /** The logits of a saved model, or of a saved adapter attached to its base, for one text. */
    private static float[] logits(Path dir, String text) throws Exception {
        boolean adapter = LoraConfig.isAdapterDirectory(dir);
        Path base = adapter ? Path.of(LoraConfig.baseModelOf(dir)) : dir;
        HfConfig config = HfConfig.read(base).copy();
        config.set("num_labels", 2);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                TextTokenizer tokenizer = TextTokenizer.load(dir, TokenizerSettings.read(dir), 128);
                NDManager manager = model.manager().newSubManager()) {
            HfCheckpoint.load(base, model, adapter ? LoadOptions.initializeMissing(0) : LoadOptions.strict());
            if (adapter) {
                LoraModel.load(model, dir);
            }
            Encoding encoding = tokenizer.encode(text);
            NDArray ids = manager.create(new long[][] {encoding.getIds()});
            NDArray mask = manager.create(new long[][] {encoding.getAttentionMask()});
            return model.forward(new Batch(Map.of("input_ids", ids, "attention_mask", mask)), false).logits()
                    .toFloatArray();
        }
    }

    private static long topLabel(Path dir, String text) throws Exception {
        float[] logits = logits(dir, text);
        return logits[1] > logits[0] ? 1 : 0;
    }

    private static List<TrainEvent> run(TrainRequest request, Path jobs, String name, JobState expected,
            long cancelAfter) {
        List<TrainEvent> events = new ArrayList<>();
        run(request, jobs, name, expected, events, cancelAfter);
        return events;
    }

    private static RunEnvironment run(TrainRequest request, Path jobs, String name, JobState expected,
            List<TrainEvent> events, long cancelAfter) {
        RunEnvironment environment = new RunEnvironment(jobs.resolve(name), jobs, null);
        Cancellation cancellation = new Cancellation();
        JobState state = JobRunner.run(request, environment, event -> {
            events.add(event);
            if (event.hasProgress() && event.getProgress().getGlobalStep() == cancelAfter) {
                cancellation.request();
            }
        }, cancellation);
        assertEquals(expected, state, () -> events.get(events.size() - 1).toString());
        return environment;
    }

    private static Map<Long, Double> losses(List<TrainEvent> events) {
        Map<Long, Double> losses = new TreeMap<>();
        events.stream().filter(TrainEvent::hasProgress)
                .forEach(e -> losses.put(e.getProgress().getGlobalStep(), e.getProgress().getLoss()));
        return losses;
    }
}
