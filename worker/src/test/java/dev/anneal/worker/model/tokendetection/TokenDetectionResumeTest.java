package dev.anneal.worker.model.tokendetection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints hold the composite's state dict (generator.*, discriminator.* with the shared embeddings once), and
 * a token-detection run resumes from one exactly: masks come from the seed and the batch's number, replacements
 * from libtorch's generator reseeded every step, so the resumed steps' losses and the saved generator/ and
 * discriminator/ equal an uninterrupted run's bit for bit.
 */
class TokenDetectionResumeTest {
    private static final Path BASE = HfReference.generatedDir().resolve("electra").resolve("ElectraForPreTraining");
    private static final String EMBEDDINGS = "electra.embeddings.word_embeddings.weight";

    @Test
    void checkpointHoldsTheCompositeAndTheRunResumesFromItExactly(@TempDir Path jobs) throws Exception {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(BASE.toAbsolutePath().toString())
                .setTask(Task.TOKEN_DETECTION)
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(30)))
                .setMaxlength(16)
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(6).setLearningRate(1e-3).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1).setSaveTotalLimit(2))
                .build();
        run(request, jobs.resolve("job"), jobs, 3, JobState.CANCELLED);
        Path checkpoint = jobs.resolve("job/checkpoints/checkpoint-3");
        Set<String> stored = SafetensorsReader.open(checkpoint.resolve(HfCheckpoint.WEIGHTS_FILE)).names();
        assertTrue(stored.contains("generator." + EMBEDDINGS), stored.toString());
        assertFalse(stored.contains("discriminator." + EMBEDDINGS), "the shared tensor is stored once");
        assertTrue(stored.contains("discriminator.discriminator_predictions.dense.weight"), stored.toString());
        try (TokenDetectionModel model = TokenDetectionLoader.load(BASE, HfConfig.read(BASE),
                LoadOptions.initializeMissing(1)).model()) {
            assertEquals(model.namedParameters().keySet(), stored);
        }

        Map<Long, Double> resumed = run(request.toBuilder().setCheckpoint("latest").build(), jobs.resolve("job"),
                jobs, -1, JobState.SUCCEEDED);
        assertEquals(Set.of(4L, 5L, 6L), resumed.keySet());
        Map<Long, Double> straight = run(request, jobs.resolve("straight"), jobs, -1, JobState.SUCCEEDED);
        assertEquals(new TreeMap<>(straight).subMap(4L, 7L), resumed, "resumed steps lose exactly what uninterrupted ones do");
        for (String part : new String[] {"generator", "discriminator"}) {
            Path weights = Path.of(part, HfCheckpoint.WEIGHTS_FILE);
            assertArrayEquals(Files.readAllBytes(jobs.resolve("straight/model").resolve(weights)),
                    Files.readAllBytes(jobs.resolve("job/model").resolve(weights)), part + " weights");
        }
    }

    private static Map<Long, Double> run(TrainRequest request, Path jobDir, Path jobs, long cancelAfter,
            JobState expected) {
        Map<Long, Double> losses = new TreeMap<>();
        Cancellation cancellation = new Cancellation();
        StringBuilder last = new StringBuilder();
        JobState state = JobRunner.run(request, new RunEnvironment(jobDir, jobs, null), (TrainEvent event) -> {
            if (event.hasProgress()) {
                losses.put(event.getProgress().getGlobalStep(), event.getProgress().getLoss());
                if (event.getProgress().getGlobalStep() == cancelAfter) {
                    cancellation.request();
                }
            }
            last.setLength(0);
            last.append(event);
        }, cancellation);
        assertEquals(expected, state, last::toString);
        return losses;
    }
}
