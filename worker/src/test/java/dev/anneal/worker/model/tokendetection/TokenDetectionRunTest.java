package dev.anneal.worker.model.tokendetection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.base.BaseModelResolver;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.testing.AnimalRows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** token-detection through the whole pipeline ({@link JobRunner}) on the generated ELECTRA discriminator. */
class TokenDetectionRunTest {
    private static final Path BASE = HfReference.generatedDir().resolve("electra").resolve("ElectraForPreTraining");
    private static final String EMBEDDINGS = "electra.embeddings.word_embeddings.weight";

    private record Run(JobState state, List<TrainEvent> events, Path model) {
        TrainEvent last() {
            return events.get(events.size() - 1);
        }

        Map<String, Double> metrics() {
            return last().getFinished().getMetricsMap();
        }

        List<Double> losses() {
            return events.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getLoss()).toList();
        }
    }

    private static Run run(TrainRequest request, Path jobs, String name) {
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment environment = new RunEnvironment(jobs.resolve(name), jobs, null);
        JobState state = JobRunner.run(request, environment, events::add, new Cancellation());
        return new Run(state, events, environment.modelDir());
    }

    private static TrainRequest.Builder request(Path base, long seed) {
        return request(base, seed, 100);
    }

    private static TrainRequest.Builder request(Path base, long seed, int repeat) {
        return TrainRequest.newBuilder()
                .setBase(base.toAbsolutePath().toString())
                .setTask(Task.TOKEN_DETECTION)
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(repeat)))
                .setMaxlength(16)
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(2).setLearningRate(1e-3)
                        .setLoggingSteps(2).setSeed(seed));
    }

    /**
     * txtai's testRTD: training on its animal rows succeeds and writes output/generator and
     * output/discriminator. Here each is also checked to be a Hugging Face directory that loads back, strictly,
     * into ElectraForMaskedLM / ElectraForPreTraining, with the shared embeddings saved in both.
     */
    @Test
    void txtaiScenarioWritesGeneratorAndDiscriminatorThatLoadBack(@TempDir Path jobs) throws IOException {
        Run run = run(request(BASE, 42)
                .setValidation(Dataset.newBuilder().setRows(AnimalRows.times(10)))
                .addMetrics("token_accuracy").build(), jobs, "rtd");
        assertEquals(JobState.SUCCEEDED, run.state(), run.last()::toString);
        assertEquals(run.model().toString(), run.last().getFinished().getModelLocation());

        for (String file : List.of("tokenizer.json", "trainer_state.json")) {
            assertTrue(Files.isRegularFile(run.model().resolve(file)), file);
        }
        Path generator = run.model().resolve("generator");
        Path discriminator = run.model().resolve("discriminator");
        assertReloads(generator, "ElectraForMaskedLM", HeadType.MASKED_LM);
        assertReloads(discriminator, "ElectraForPreTraining", HeadType.PRETRAINING);
        assertTrue(run.events().stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage()
                .equals("token-detection model saved as " + generator + ", " + discriminator)), "SAVE names the parts");

        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray saved = embeddings(generator, manager);
            assertTrue(saved.contentEquals(embeddings(discriminator, manager)),
                    "one shared tensor, saved in both parts");
            assertFalse(saved.contentEquals(embeddings(BASE, manager)), "the shared embeddings were trained");
        }

        // A later job starts from one part: job:<id>/discriminator; the bare job id names the parts.
        RunEnvironment later = new RunEnvironment(jobs.resolve("later"), jobs, null);
        assertEquals(discriminator.toAbsolutePath().normalize(),
                BaseModelResolver.resolve("job:rtd/discriminator", later));
        RunFailure bare = assertThrows(RunFailure.class, () -> BaseModelResolver.resolve("job:rtd", later));
        assertTrue(bare.getMessage().contains("[discriminator, generator]: name one, e.g. job:rtd/discriminator"),
                bare.getMessage());

        Map<String, Double> metrics = run.metrics();
        assertTrue(metrics.containsKey("eval_loss"), metrics.toString());
        double accuracy = metrics.get("eval_token_accuracy");
        assertTrue(accuracy >= 0 && accuracy <= 1, metrics.toString());
        List<Double> losses = run.losses();
        assertTrue(losses.size() >= 2 && losses.get(losses.size() - 1) < losses.get(0), "losses " + losses);
    }

    @Test
    void sameSeedGivesTheSameLossesAndAnotherSeedDoesNot(@TempDir Path jobs) {
        // Seeded: the masks (collator), the sampled replacements and dropout (libtorch, reseeded every step).
        Run first = run(request(BASE, 7, 30).build(), jobs, "first");
        Run again = run(request(BASE, 7, 30).build(), jobs, "again");
        Run other = run(request(BASE, 8, 30).build(), jobs, "other");
        for (Run run : List.of(first, again, other)) {
            assertEquals(JobState.SUCCEEDED, run.state(), run.last()::toString);
        }
        assertEquals(first.losses(), again.losses());
        assertEquals(first.metrics().get("train_loss"), again.metrics().get("train_loss"));
        assertNotEquals(first.metrics().get("train_loss"), other.metrics().get("train_loss"));
    }

    /** BERT has a masked-LM generator but no replaced-token discriminator (BertForPreTraining is MLM + NSP). */
    @Test
    void bertBaseIsRefusedNamingTheMissingHead(@TempDir Path jobs) {
        Path bert = HfReference.generatedDir().resolve("bert").resolve("BertForMaskedLM");
        Run run = run(request(bert, 42).build(), jobs, "bert");
        assertEquals(JobState.FAILED, run.state());
        var error = run.last().getFinished().getError();
        assertEquals("INVALID_ARGUMENT", error.getCode());
        assertEquals(Stage.LOAD_CONFIG_AND_TOKENIZER, error.getStage());
        assertTrue(error.getMessage().contains("model_type 'bert' (bert family) has no PRETRAINING head"),
                error.getMessage());
    }

    private static void assertReloads(Path dir, String architecture, HeadType head) throws IOException {
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(dir.resolve(file)), dir.resolve(file).toString());
        }
        HfConfig config = HfConfig.read(dir);
        assertEquals(architecture, config.getNode("architectures").get(0).asText());
        ModelFamily family = ModelFamilies.forModelType(config.modelType());
        assertEquals(head, family.headFor(architecture).orElseThrow());
        try (TransformerModel model = family.create(config, head)) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected(), dir + ": unexpected tensors");
            assertEquals(architecture, model.architecture());
        }
    }

    private static NDArray embeddings(Path dir, NDManager manager) throws IOException {
        return SafetensorsReader.open(dir.resolve(HfCheckpoint.WEIGHTS_FILE))
                .read(EMBEDDINGS, manager, DataType.FLOAT32);
    }
}
