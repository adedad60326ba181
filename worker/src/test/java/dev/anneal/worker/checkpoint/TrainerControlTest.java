package dev.anneal.worker.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** eval/save strategies, save_total_limit rotation keeping the best checkpoint, load_best_model_at_end, early stopping. */
class TrainerControlTest {
    private static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertModel");
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<TrainEvent> run(TrainingArguments.Builder args, Path jobs) {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(BERT.toAbsolutePath().toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(10)))
                .setValidation(Dataset.newBuilder().setRows(AnimalRows.times(2)))
                .addMetrics("accuracy")
                .setArgs(args.setLearningRate(1e-3).setPerDeviceTrainBatchSize(8).setLoggingSteps(1))
                .build();
        List<TrainEvent> events = new ArrayList<>();
        JobState state = JobRunner.run(request, new RunEnvironment(jobs.resolve("job"), jobs, null), events::add,
                new Cancellation());
        assertEquals(JobState.SUCCEEDED, state, () -> events.get(events.size() - 1).toString());
        return events;
    }

    @Test
    void evaluatesAndSavesEveryTwoStepsKeepingTheLimitAndTheBest(@TempDir Path jobs) throws Exception {
        List<TrainEvent> events = run(TrainingArguments.newBuilder().setMaxSteps(10)
                .setEvalStrategy("steps").setEvalSteps(2).setSaveStrategy("steps").setSaveSteps(2)
                .setSaveTotalLimit(2).setLoadBestModelAtEnd(true).setMetricForBestModel("loss"), jobs);
        List<TrainEvent> evaluations = events.stream().filter(TrainEvent::hasEvaluation).toList();
        // Five evaluations during training (steps 2..10) and the final one of the EVALUATE stage.
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L, 10L), evaluations.stream().map(e -> e.getEvaluation().getGlobalStep()).toList());
        List<TrainEvent> saved = events.stream().filter(TrainEvent::hasCheckpointSaved).toList();
        assertEquals(List.of(2L, 4L, 6L, 8L, 10L), saved.stream().map(e -> e.getCheckpointSaved().getGlobalStep()).toList());
        assertTrue(saved.get(0).getCheckpointSaved().containsMetrics("eval_loss"));

        // The best eval_loss among the in-training evaluations, and the checkpoint that holds it.
        TrainEvent best = evaluations.subList(0, 5).stream()
                .min((a, b) -> Double.compare(a.getEvaluation().getMetricsOrThrow("eval_loss"),
                        b.getEvaluation().getMetricsOrThrow("eval_loss"))).orElseThrow();
        long bestStep = best.getEvaluation().getGlobalStep();
        List<String> left;
        try (Stream<Path> dirs = Files.list(jobs.resolve("job/checkpoints"))) {
            left = dirs.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertTrue(left.contains("checkpoint-" + bestStep), left + " must keep the best, step " + bestStep);
        assertTrue(left.size() <= 3, "limit 2 plus the best: " + left);
        assertTrue(left.contains("checkpoint-10"), left.toString());

        // load_best_model_at_end: the final evaluation sees the best checkpoint's weights.
        assertEquals(best.getEvaluation().getMetricsOrThrow("eval_loss"),
                evaluations.get(5).getEvaluation().getMetricsOrThrow("eval_loss"), 1e-6);
        JsonNode state = JSON.readTree(jobs.resolve("job/checkpoints/checkpoint-10/trainer_state.json").toFile());
        assertEquals(10, state.get("global_step").asInt());
        assertTrue(state.get("best_model_checkpoint").asText().endsWith("checkpoint-" + bestStep));
    }

    @Test
    void earlyStoppingEndsTrainingAfterPatienceEvaluationsWithoutImprovement(@TempDir Path jobs) {
        // An improvement threshold no loss change can meet: training stops after the patience runs out.
        List<TrainEvent> events = run(TrainingArguments.newBuilder().setMaxSteps(30)
                .setEvalStrategy("steps").setEvalSteps(1).setEarlyStoppingPatience(2)
                .setEarlyStoppingThreshold(100.0), jobs);
        long lastStep = events.stream().filter(TrainEvent::hasProgress)
                .mapToLong(e -> e.getProgress().getGlobalStep()).max().orElseThrow();
        assertEquals(3, lastStep, "first evaluation sets the reference, two more without improvement stop it");
        assertTrue(events.stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage().startsWith("early stopping at step 3")));
    }
}
