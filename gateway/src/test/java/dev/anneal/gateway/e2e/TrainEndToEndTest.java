package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.WatchRequest;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.GatewayClient;
import dev.anneal.gateway.TrainRequests;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real fine-tuning jobs through the gateway on a random port over a real gRPC channel: txtai's basic
 * text-classification scenario on the tiny BERT fixture.
 */
@QuarkusTest
class TrainEndToEndTest {
    private static final Logger LOG = Logger.getLogger(TrainEndToEndTest.class);
    private static GatewayClient gateway;

    @BeforeAll
    static void connect() {
        gateway = GatewayClient.connect();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        gateway.close();
    }

    private static Iterator<TrainEvent> train(TrainRequest request) {
        return gateway.blocking.withDeadlineAfter(5, TimeUnit.MINUTES).train(request);
    }

    @Test
    void txtaiBasicScenarioTrainsAndSucceeds() throws Exception {
        long start = System.nanoTime();
        TrainRequest request = TrainRequests.txtaiBasic().putLabels("test", "e2e")
                .setValidation(Dataset.newBuilder().setRows(TrainRequests.txtaiRows(1))).addMetrics("accuracy")
                .build();
        List<TrainEvent> events = Events.readAll(train(request));
        double seconds = (System.nanoTime() - start) / 1e9;

        TrainEvent first = events.get(0);
        assertTrue(first.hasAccepted(), "first event: " + first);
        String jobId = first.getJobId();
        assertFalse(jobId.isEmpty());
        Events.assertContiguous(events, 1);

        TrainEvent last = events.get(events.size() - 1);
        Finished finished = last.getFinished();
        assertEquals(JobState.SUCCEEDED, finished.getState(), "finished: " + finished);

        List<Stage> stages = Events.startedStages(events);
        assertEquals(List.of(Stage.QUEUED, Stage.SCHEDULED), stages.subList(0, 2));
        assertEquals(Events.PIPELINE, stages.subList(2, stages.size()));
        Events.assertStagesNest(events);

        List<Double> losses = Events.losses(events);
        assertTrue(losses.size() >= 2, "progress events with a loss: " + losses);
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "loss should fall: " + losses);

        assertEquals(1.0, finished.getMetricsOrThrow("eval_accuracy"), 1e-9, "Dogs/dog are 0, Cats/cat are 1");

        Path model = Path.of(finished.getModelLocation());
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
            assertTrue(Files.isRegularFile(model.resolve(file)), file + " missing in " + model);
        }

        Job job = gateway.job(jobId);
        assertEquals(JobState.SUCCEEDED, job.getState());
        assertEquals(events.size(), job.getLastSequence());
        assertEquals(finished.getModelLocation(), job.getModelLocation());
        assertTrue(job.hasStarted() && job.hasEnded() && job.hasProgress());
        assertEquals("e2e", job.getRequest().getLabelsOrThrow("test"));

        // The saved directory loads back: a job that starts from it and does not move its weights (learning
        // rate 0) still predicts 0 for "dog"/"Dogs" and 1 for "cat"/"Cats".
        TrainRequest.Builder reload = TrainRequest.newBuilder().setBase("job:" + jobId)
                .setTrain(Dataset.newBuilder().setRows(TrainRequests.txtaiRows(1)))
                .setValidation(Dataset.newBuilder().setRows(TrainRequests.txtaiRows(1))).addMetrics("accuracy");
        reload.getArgsBuilder().setMaxSteps(1).setLearningRate(0);
        List<TrainEvent> reloaded = Events.readAll(train(reload.build()));
        Finished reloadedEnd = reloaded.get(reloaded.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, reloadedEnd.getState(), reloadedEnd.toString());
        assertEquals(1.0, reloadedEnd.getMetricsOrThrow("eval_accuracy"), 1e-9);

        long steps = events.stream().filter(TrainEvent::hasProgress).mapToLong(e -> e.getProgress().getGlobalStep())
                .max().orElse(0);
        LOG.infof("end-to-end job: %.1f s wall, %d events, %d steps, train_runtime %.2f s, peak RSS %s",
                seconds, events.size(), steps, finished.getMetricsOrDefault("train_runtime", -1),
                peakRss());
    }

    @Test
    void watchAfterDisconnectReceivesExactlyTheRest() throws Exception {
        TrainRequest request = TrainRequests.txtaiBasic().build();
        List<TrainEvent> seen = new ArrayList<>();
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            call.run(() -> {
                Iterator<TrainEvent> stream = train(request);
                while (seen.size() < 20 && stream.hasNext()) {
                    seen.add(stream.next());
                }
            });
            call.cancel(null); // the client goes away mid-stream
        }
        assertEquals(20, seen.size());
        Events.assertContiguous(seen, 1);
        String jobId = seen.get(0).getJobId();
        long lastSeen = seen.get(seen.size() - 1).getSequence();

        List<TrainEvent> rest = Events.readAll(gateway.blocking.withDeadlineAfter(5, TimeUnit.MINUTES)
                .watch(WatchRequest.newBuilder().setJobId(jobId).setAfterSequence(lastSeen).build()));
        Events.assertContiguous(rest, lastSeen + 1);
        TrainEvent last = rest.get(rest.size() - 1);
        assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), "disconnecting did not cancel the job");

        List<TrainEvent> everything = new ArrayList<>(seen);
        everything.addAll(rest);
        assertEquals(everything, Events.readAll(gateway.blocking.watch(
                WatchRequest.newBuilder().setJobId(jobId).build())), "replay from 0 equals what was streamed");
        assertEquals(List.of(), Events.readAll(gateway.blocking.watch(
                WatchRequest.newBuilder().setJobId(jobId).setAfterSequence(last.getSequence()).build())),
                "nothing after the last event of an ended job");
    }

    @Test
    void cancelMidTrainingEndsCancelledAndTheGatewayKeepsServing() throws Exception {
        Iterator<TrainEvent> stream = train(TrainRequests.longRunning().build());
        List<TrainEvent> events = new ArrayList<>();
        while (stream.hasNext()) {
            TrainEvent event = stream.next();
            events.add(event);
            if (event.hasProgress()) {
                break;
            }
        }
        assertTrue(events.get(events.size() - 1).hasProgress(), "training started: " + events);
        String jobId = events.get(0).getJobId();

        Job afterCancel = gateway.blocking.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
        assertTrue(afterCancel.getState() == JobState.RUNNING || afterCancel.getState() == JobState.CANCELLED,
                afterCancel.getState().name());
        stream.forEachRemaining(events::add);
        Events.assertContiguous(events, 1);
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.CANCELLED, last.getFinished().getState(), "finished: " + last);
        assertTrue(Events.losses(events).size() < 1_000, "stopped long before max_steps");

        Job job = gateway.awaitEnd(jobId, Duration.ofSeconds(30));
        assertEquals(JobState.CANCELLED, job.getState());
        StatusRuntimeException again = assertThrows(StatusRuntimeException.class,
                () -> gateway.blocking.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, again.getStatus().getCode());

        // Still serving: queries answer and a new job runs to its end.
        assertTrue(gateway.blocking.listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
                .anyMatch(j -> j.getJobId().equals(jobId)));
        TrainRequest.Builder small = TrainRequests.txtaiBasic();
        small.getArgsBuilder().setMaxSteps(5);
        List<TrainEvent> next = Events.readAll(train(small.build()));
        assertEquals(JobState.SUCCEEDED, next.get(next.size() - 1).getFinished().getState());
    }

    /** The JVM's peak resident set size (Linux), for the figures. */
    static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream().filter(l -> l.startsWith("VmHWM"))
                    .map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (Exception e) {
            return "unknown";
        }
    }
}
