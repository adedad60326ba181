package dev.anneal.worker.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A run interrupted after step k and resumed with checkpoint=latest gives the same per-step losses and
 * bit-identical final weights as the uninterrupted run (dropout on, so random state matters too).
 */
class ExactResumeTest {
    private static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertModel");

    @ParameterizedTest(name = "interrupted after step {0}, accumulation {1}")
    @CsvSource({
        "5, 1",   // mid-epoch
        "13, 1",  // epoch boundary: 100 rows / batch 8 = 13 micro-batches
        "3, 2",   // with gradient accumulation: a step is two micro-batches
    })
    void resumedRunEqualsUninterruptedRun(int interruptAfter, int accumulation, @TempDir Path jobs) throws Exception {
        TrainRequest request = request(accumulation);
        Run full = run(request, jobs.resolve("full"), jobs, -1);
        assertEquals(JobState.SUCCEEDED, full.state);

        Run interrupted = run(request, jobs.resolve("resumed"), jobs, interruptAfter);
        assertEquals(JobState.CANCELLED, interrupted.state);
        assertTrue(Files.isDirectory(jobs.resolve("resumed/checkpoints/checkpoint-" + interruptAfter)));

        Run resumed = run(request.toBuilder().setCheckpoint("latest").build(), jobs.resolve("resumed"), jobs, -1);
        assertEquals(JobState.SUCCEEDED, resumed.state);
        assertTrue(resumed.logs.stream().anyMatch(m -> m.contains("resuming from") && m.contains("checkpoint-" + interruptAfter)),
                resumed.logs.toString());
        for (Map.Entry<Long, Double> step : resumed.losses.entrySet()) {
            assertTrue(step.getKey() > interruptAfter);
            assertEquals(full.losses.get(step.getKey()), step.getValue(), 0.0, "loss at step " + step.getKey());
        }
        assertEquals(full.losses.size() - interruptAfter, resumed.losses.size());
        assertArrayEquals(Files.readAllBytes(jobs.resolve("full/model/model.safetensors")),
                Files.readAllBytes(jobs.resolve("resumed/model/model.safetensors")), "final weights differ");
    }

    private static TrainRequest request(int accumulation) {
        return TrainRequest.newBuilder()
                .setBase(BERT.toAbsolutePath().toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(25)))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(20).setLearningRate(1e-3)
                        .setGradientAccumulationSteps(accumulation).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1).setSaveTotalLimit(2))
                .build();
    }

    private record Run(JobState state, Map<Long, Double> losses, List<String> logs) {
    }

    private static Run run(TrainRequest request, Path jobDir, Path jobs, long cancelAfter) {
        Map<Long, Double> losses = new TreeMap<>();
        List<String> logs = new ArrayList<>();
        Cancellation cancellation = new Cancellation();
        JobState state = JobRunner.run(request, new RunEnvironment(jobDir, jobs, null), (TrainEvent event) -> {
            if (event.hasProgress()) {
                losses.put(event.getProgress().getGlobalStep(), event.getProgress().getLoss());
                if (event.getProgress().getGlobalStep() == cancelAfter) {
                    cancellation.request();
                }
            }
            if (event.hasLog()) {
                logs.add(event.getLog().getMessage());
            }
        }, cancellation);
        return new Run(state, losses, logs);
    }
}
