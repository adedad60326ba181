package dev.anneal.gateway.e2e.txtai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.GatewayClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A job submitted through the gateway's {@code Train} RPC and followed to its end, after the checks every
 * txtai scenario shares: the stream starts with {@code accepted}, its sequences are contiguous, the job
 * passes QUEUED, SCHEDULED and the fourteen pipeline stages in order and ends SUCCEEDED with a Hugging Face
 * directory (for token-detection, one per part); training reported a finite loss; with validation data, an
 * evaluation event and the final metrics carry eval_loss and every requested metric.
 */
record TrainedJob(String jobId, List<TrainEvent> events, Finished finished, double wallSeconds) {

    static TrainedJob succeed(GatewayClient gateway, TrainRequest request) {
        long start = System.nanoTime();
        List<TrainEvent> events = Events.readAll(gateway.blocking.withDeadlineAfter(5, TimeUnit.MINUTES)
                .train(request));
        double seconds = (System.nanoTime() - start) / 1e9;

        assertTrue(events.get(0).hasAccepted(), "first event: " + events.get(0));
        Events.assertContiguous(events, 1);
        TrainEvent last = events.get(events.size() - 1);
        assertTrue(last.hasFinished(), "last event: " + last);
        Finished finished = last.getFinished();
        assertEquals(JobState.SUCCEEDED, finished.getState(), "finished: " + finished);

        List<Stage> expectedStages = new ArrayList<>(List.of(Stage.QUEUED, Stage.SCHEDULED));
        expectedStages.addAll(Events.PIPELINE);
        assertEquals(expectedStages, Events.startedStages(events));
        Events.assertStagesNest(events);

        List<Double> losses = Events.losses(events);
        assertFalse(losses.isEmpty(), "no progress event with a loss");
        assertTrue(losses.stream().allMatch(Double::isFinite), "losses: " + losses);

        Path model = Path.of(finished.getModelLocation());
        for (String file : savedFiles(request)) {
            assertTrue(Files.isRegularFile(model.resolve(file)), file + " missing in " + model);
        }

        List<Map<String, Double>> evaluations = events.stream().filter(TrainEvent::hasEvaluation)
                .map(e -> e.getEvaluation().getMetricsMap()).toList();
        if (request.hasValidation()) {
            assertFalse(evaluations.isEmpty(), "validation data was given but no evaluation event came");
            List<String> expected = new ArrayList<>(List.of("eval_loss"));
            request.getMetricsList().forEach(metric -> expected.add("eval_" + metric));
            for (String name : expected) {
                assertTrue(evaluations.get(evaluations.size() - 1).containsKey(name), name + " not evaluated: "
                        + evaluations);
                assertTrue(finished.getMetricsMap().containsKey(name), name + " not in the final metrics: "
                        + finished.getMetricsMap());
                assertTrue(Double.isFinite(finished.getMetricsOrThrow(name)), name + " = "
                        + finished.getMetricsOrThrow(name));
            }
        } else {
            assertEquals(List.of(), evaluations, "evaluation without validation data");
        }
        return new TrainedJob(events.get(0).getJobId(), events, finished, seconds);
    }

    /**
     * The files a saved model directory holds: one Hugging Face model at the top, or for token-detection its
     * two models as the parts {@code generator/} and {@code discriminator/} under a shared tokenizer.
     */
    private static List<String> savedFiles(TrainRequest request) {
        List<String> files = new ArrayList<>(List.of("tokenizer.json", "trainer_state.json"));
        List<String> models = request.getTask() == Task.TOKEN_DETECTION ? List.of("generator/", "discriminator/")
                : List.of("");
        for (String model : models) {
            files.add(model + "config.json");
            files.add(model + "model.safetensors");
        }
        return files;
    }

    Path modelDir() {
        return Path.of(finished.getModelLocation());
    }

    double metric(String name) {
        return finished.getMetricsOrThrow(name);
    }

    List<Double> losses() {
        return Events.losses(events);
    }

    /** The optimizer steps the run planned (max_steps of its progress events). */
    long maxSteps() {
        return events.stream().filter(TrainEvent::hasProgress).mapToLong(e -> e.getProgress().getMaxSteps())
                .max().orElseThrow();
    }

    /** The first logged loss is above the last one: the model learned something. */
    void assertLossFell() {
        List<Double> losses = losses();
        assertTrue(losses.size() >= 2 && losses.get(losses.size() - 1) < losses.get(0),
                "loss should fall: " + losses);
    }
}
