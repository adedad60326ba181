package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Distillation;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A distillation run interrupted after a checkpoint and resumed with checkpoint=latest gives the same step
 * losses and bit-identical student weights as the uninterrupted run: checkpoints hold the student, and the
 * teacher is loaded again, unchanged, on resume.
 */
class DistillationResumeTest {
    private static final int INTERRUPT_AFTER = 3;

    @Test
    void resumedDistillationEqualsUninterruptedDistillation(@TempDir Path jobs) throws Exception {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(HfReference.generatedDir().resolve("bert/BertModel").toString())
                .setTeacher(FixtureClassifiers.DISTILBERT.toString())
                .setDistillation(Distillation.newBuilder().setTemperature(2.0).setAlpha(0.7))
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(25)))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(8).setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(8).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1).setSaveTotalLimit(2))
                .build();
        Map<Long, Double> full = run(request, jobs.resolve("full"), jobs, JobState.SUCCEEDED, -1);
        run(request, jobs.resolve("resumed"), jobs, JobState.CANCELLED, INTERRUPT_AFTER);
        assertTrue(Files.isDirectory(jobs.resolve("resumed/checkpoints/checkpoint-" + INTERRUPT_AFTER)));
        Map<Long, Double> resumed = run(request.toBuilder().setCheckpoint("latest").build(), jobs.resolve("resumed"),
                jobs, JobState.SUCCEEDED, -1);

        assertEquals(full.size() - INTERRUPT_AFTER, resumed.size(), resumed::toString);
        resumed.forEach((step, loss) -> assertEquals(full.get(step), loss, 0.0, "loss at step " + step));
        assertArrayEquals(Files.readAllBytes(jobs.resolve("full/model/model.safetensors")),
                Files.readAllBytes(jobs.resolve("resumed/model/model.safetensors")), "final student weights differ");
    }

    private static Map<Long, Double> run(TrainRequest request, Path jobDir, Path jobs, JobState expected,
            long cancelAfter) {
        Map<Long, Double> losses = new TreeMap<>();
        Cancellation cancellation = new Cancellation();
        StringBuilder last = new StringBuilder();
        JobState state = JobRunner.run(request, new RunEnvironment(jobDir, jobs, null), event -> {
            if (event.hasProgress()) {
                losses.put(event.getProgress().getGlobalStep(), event.getProgress().getLoss());
                if (event.getProgress().getGlobalStep() == cancelAfter) {
                    cancellation.request();
                }
            }
            if (event.hasFinished()) {
                last.append(event);
            }
        }, cancellation);
        assertEquals(expected, state, last::toString);
        return losses;
    }
}
