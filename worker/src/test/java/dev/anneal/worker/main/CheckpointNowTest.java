package dev.anneal.worker.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker protocol's checkpoint-now: a checkpoint after the current step, outside the save_steps schedule. */
class CheckpointNowTest {
    private static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertModel");

    @Test
    void aRequestedCheckpointIsSavedAfterTheCurrentStepAndTrainingGoesOn(@TempDir Path jobs) {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(BERT.toAbsolutePath().toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(4)))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(6).setLearningRate(1e-3).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1000))
                .build();
        Cancellation cancellation = new Cancellation();
        List<Long> saved = new ArrayList<>();
        JobState state = JobRunner.run(request, new RunEnvironment(jobs.resolve("job"), jobs, null), (TrainEvent e) -> {
            if (e.hasProgress() && e.getProgress().getGlobalStep() == 3) {
                cancellation.requestCheckpoint();
            }
            if (e.hasCheckpointSaved()) {
                saved.add(e.getCheckpointSaved().getGlobalStep());
            }
        }, cancellation);

        assertEquals(JobState.SUCCEEDED, state);
        assertEquals(List.of(3L), saved);
        assertTrue(Files.isDirectory(jobs.resolve("job/checkpoints/checkpoint-3")));
    }
}
