package dev.anneal.api.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** AnnealClient against a real in-process gRPC server running {@link InMemoryTrainService}. */
class AnnealClientTest {

    private InMemoryTrainService service;
    private Server server;
    private ManagedChannel channel;
    private AnnealClient client;

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        service = new InMemoryTrainService();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        client = AnnealClient.builder().setChannel(channel).optUnaryTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void stop() throws Exception {
        service.release();
        client.close();
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static TrainRequest request(String base, long maxSteps) {
        return TrainRequest.newBuilder().setBase(base)
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(maxSteps)).build();
    }

    @Test
    void trainCallsOneCallbackPerEventKindInOrderAndReturnsTheOutcome() {
        List<String> calls = new CopyOnWriteArrayList<>();
        List<Long> sequences = new CopyOnWriteArrayList<>();
        JobOutcome outcome = client.train(request("bert", 3), new TrainListener() {
            @Override public void onEvent(TrainEvent event) { sequences.add(event.getSequence()); }
            @Override public void onAccepted(String jobId, Accepted accepted) {
                calls.add("accepted " + jobId + " " + accepted.getRequest().getBase());
            }
            @Override public void onStageStarted(StageStarted s) { calls.add("started " + s.getStage()); }
            @Override public void onStageFinished(StageFinished s) { calls.add("finished " + s.getStage()); }
            @Override public void onProgress(Progress p) { calls.add("progress " + p.getGlobalStep()); }
            @Override public void onFinished(Finished f) { calls.add("end " + f.getState()); }
        });

        assertEquals(List.of("accepted job-1 bert", "started TRAIN", "progress 1", "progress 2", "progress 3",
                "finished TRAIN", "end SUCCEEDED"), calls);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L), sequences);
        assertEquals("job-1", outcome.jobId());
        assertEquals(7, outcome.lastSequence());
        assertTrue(outcome.succeeded());
        assertEquals("/models/job-1", outcome.finished().getModelLocation());
        assertEquals(0.25, outcome.finished().getMetricsOrThrow("train_loss"));
    }

    @Test
    void aFailedJobIsAnOutcomeNotAnException() {
        JobOutcome outcome = client.train(request("fail", 3), TrainListener.none());
        assertEquals(JobState.FAILED, outcome.state());
        assertEquals("config.json: missing", outcome.finished().getError().getMessage());
    }

    @Test
    void aRefusedRequestThrowsWithTheStatusCodeAndDescription() {
        AnnealException e = assertThrows(AnnealException.class,
                () -> client.train(request("", 3), TrainListener.none()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertEquals("base: must not be empty", e.getMessage());
        assertEquals(null, e.jobId());
    }

    @Test
    void watchReplaysExactlyTheEventsAfterTheGivenSequence() {
        JobOutcome first = client.train(request("bert", 4), TrainListener.none());
        List<Long> replayed = new CopyOnWriteArrayList<>();
        JobOutcome again = client.watch(first.jobId(), 3, new TrainListener() {
            @Override public void onEvent(TrainEvent event) { replayed.add(event.getSequence()); }
        });
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L), replayed);
        assertEquals(first, again);
    }

    @Test
    void detachLeavesTheJobRunningAndWatchPicksUpWhereTheStreamStopped() throws Exception {
        service.holdJobs = true;
        CountDownLatch firstProgress = new CountDownLatch(1);
        JobStream stream = client.submit(request("bert", 3), new TrainListener() {
            @Override public void onProgress(Progress p) { firstProgress.countDown(); }
        });
        assertTrue(firstProgress.await(5, TimeUnit.SECONDS));
        stream.detach();

        AnnealException detached = assertThrows(AnnealException.class, stream::await);
        assertEquals(Status.Code.CANCELLED, detached.code());
        assertTrue(stream.isDetached());
        assertEquals("job-1", stream.jobId());
        assertEquals(3, stream.lastSequence());
        assertEquals(JobState.RUNNING, client.getJob("job-1").getState());

        service.release();
        List<Long> rest = new CopyOnWriteArrayList<>();
        JobOutcome outcome = client.watch(stream.jobId(), stream.lastSequence(), new TrainListener() {
            @Override public void onEvent(TrainEvent event) { rest.add(event.getSequence()); }
        });
        assertEquals(List.of(4L, 5L, 6L, 7L), rest);
        assertTrue(outcome.succeeded());
    }

    @Test
    void cancelEndsARunningJobCancelledAndRefusesAnEndedOne() {
        service.holdJobs = true;
        CountDownLatch firstProgress = new CountDownLatch(1);
        JobStream stream = client.submit(request("bert", 5), new TrainListener() {
            @Override public void onProgress(Progress p) { firstProgress.countDown(); }
        });
        assertDoesNotTimeOut(firstProgress);

        Job afterRequest = client.cancel(stream.jobId());
        assertEquals(stream.jobId(), afterRequest.getJobId());
        assertEquals(JobState.CANCELLED, stream.await().state());

        AnnealException ended = assertThrows(AnnealException.class, () -> client.cancel(stream.jobId()));
        assertEquals(Status.Code.FAILED_PRECONDITION, ended.code());
    }

    @Test
    void unknownJobsAreNotFound() {
        assertEquals(Status.Code.NOT_FOUND,
                assertThrows(AnnealException.class, () -> client.getJob("nope")).code());
        assertEquals(Status.Code.NOT_FOUND,
                assertThrows(AnnealException.class, () -> client.cancel("nope")).code());
        AnnealException watch = assertThrows(AnnealException.class,
                () -> client.watch("nope", 0, TrainListener.none()));
        assertEquals(Status.Code.NOT_FOUND, watch.code());
        assertEquals("job nope not found", watch.getMessage());
    }

    @Test
    void listJobsReturnsJobsNewestFirstFilteredByLabels() {
        client.train(request("bert", 1).toBuilder().putLabels("team", "a").build(), TrainListener.none());
        client.train(request("bert", 1).toBuilder().putLabels("team", "b").build(), TrainListener.none());
        assertEquals(List.of("job-2", "job-1"), client.listJobs().stream().map(Job::getJobId).toList());
        List<Job> teamA = client.listJobs(ListJobsRequest.newBuilder().putLabelSelector("team", "a").build());
        assertEquals(List.of("job-1"), teamA.stream().map(Job::getJobId).toList());
        assertEquals(JobState.SUCCEEDED, teamA.get(0).getState());
    }

    @Test
    void aListenerThatThrowsEndsTheStreamButNotTheJob() {
        AnnealException e = assertThrows(AnnealException.class, () -> client.train(request("bert", 3),
                new TrainListener() {
                    @Override public void onProgress(Progress p) { throw new IllegalStateException("boom"); }
                }));
        assertTrue(e.getMessage().contains("boom"), e.getMessage());
        assertEquals("job-1", e.jobId());
        JobOutcome outcome = client.watch("job-1", 0, TrainListener.none());
        assertTrue(outcome.succeeded());
    }

    @Test
    void aClientOwnsOnlyTheChannelItCreated() {
        client.close();
        assertFalse(channel.isShutdown(), "a borrowed channel stays open");

        AnnealClient owning = AnnealClient.builder().setTarget("localhost:1").build();
        owning.close();
        AnnealException unreachable = assertThrows(AnnealException.class, () -> owning.getJob("x"));
        assertEquals(Status.Code.UNAVAILABLE, unreachable.code());
    }

    @Test
    void aBrokenStreamIsResumedFromItsLastEventWhenReattachIsAllowed() {
        service.streamsToBreak = 2;
        service.breakStreamsAfter = 2;
        List<Long> sequences = new CopyOnWriteArrayList<>();
        List<String> reattaches = new CopyOnWriteArrayList<>();
        try (AnnealClient resuming = AnnealClient.builder().setChannel(channel).optReattachAttempts(3).build()) {
            JobOutcome outcome = resuming.train(request("bert", 4), new TrainListener() {
                @Override public void onEvent(TrainEvent event) { sequences.add(event.getSequence()); }
                @Override public void onReattaching(int attempt, String reason) { reattaches.add(attempt + " " + reason); }
            });
            assertTrue(outcome.succeeded());
        }
        // Train broke after 2 events (UNAVAILABLE), the first Watch closed after 2 more, the second ran to the end.
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), sequences);
        assertEquals(2, reattaches.size(), reattaches.toString());
        assertTrue(reattaches.get(0).startsWith("1 gateway restarting"), reattaches.toString());
        assertTrue(reattaches.get(1).startsWith("2 the gateway closed the stream of job job-1 before it finished"),
                reattaches.toString());
    }

    @Test
    void withoutReattachABrokenStreamFailsWithWhereToResume() {
        service.streamsToBreak = 1;
        service.breakStreamsAfter = 2;
        AnnealException e = assertThrows(AnnealException.class,
                () -> client.train(request("bert", 4), TrainListener.none()));
        assertEquals(Status.Code.UNAVAILABLE, e.code());
        assertEquals("job-1", e.jobId());
        assertEquals(2, e.lastSequence());
        assertEquals(List.of(3L, 4L, 5L, 6L, 7L, 8L), sequencesAfter(e.jobId(), e.lastSequence()));
    }

    @Test
    void attemptsRunOutAndTheLastFailureIsThrown() {
        service.streamsToBreak = 5;
        service.breakStreamsAfter = 1;
        try (AnnealClient resuming = AnnealClient.builder().setChannel(channel).optReattachAttempts(1).build()) {
            AnnealException e = assertThrows(AnnealException.class,
                    () -> resuming.train(request("bert", 4), TrainListener.none()));
            assertEquals(Status.Code.UNAVAILABLE, e.code());
            assertEquals(2, e.lastSequence());
        }
    }

    private List<Long> sequencesAfter(String jobId, long after) {
        List<Long> sequences = new CopyOnWriteArrayList<>();
        client.watch(jobId, after, new TrainListener() {
            @Override public void onEvent(TrainEvent event) { sequences.add(event.getSequence()); }
        });
        return sequences;
    }

    @Test
    void theBuilderWantsExactlyOneOfTargetAndChannel() {
        assertThrows(IllegalStateException.class, () -> AnnealClient.builder().build());
        assertThrows(IllegalStateException.class,
                () -> AnnealClient.builder().setTarget("localhost:9090").setChannel(channel).build());
        assertThrows(IllegalArgumentException.class,
                () -> AnnealClient.builder().optUnaryTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> AnnealClient.builder().optReattachAttempts(-1));
    }

    private static void assertDoesNotTimeOut(CountDownLatch latch) {
        try {
            assertTrue(latch.await(5, TimeUnit.SECONDS), "timed out");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
