package dev.anneal.worker.model.tokendetection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * token-detection through the whole pipeline ({@link JobRunner}) on the generated ELECTRA discriminator: the
 * same seed gives the same run, and a base without a discriminator head is refused. txtai's testRTD itself
 * (generator/ and discriminator/ saved and loadable, token accuracy, a later job from job:&lt;id&gt;/discriminator)
 * runs end to end through the gateway: {@code TokenDetectionScenarioTest} in the gateway's tests.
 */
class TokenDetectionRunTest {
    private static final Path BASE = HfReference.generatedDir().resolve("electra").resolve("ElectraForPreTraining");

    private record Run(JobState state, List<TrainEvent> events) {
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
        return new Run(state, events);
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
        Run run = run(request(bert, 42, 1).build(), jobs, "bert");
        assertEquals(JobState.FAILED, run.state());
        var error = run.last().getFinished().getError();
        assertEquals("INVALID_ARGUMENT", error.getCode());
        assertEquals(Stage.LOAD_CONFIG_AND_TOKENIZER, error.getStage());
        assertTrue(error.getMessage().contains("model_type 'bert' (bert family) has no PRETRAINING head"),
                error.getMessage());
    }
}
