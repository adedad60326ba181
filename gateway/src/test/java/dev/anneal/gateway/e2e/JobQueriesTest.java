package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.ListJobsResponse;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.WatchRequest;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.GatewayClient;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * GetJob, ListJobs, CancelJob, Watch and idempotency against the running gateway. The test profile runs
 * one job at a time with room for four more in the queue, so a long job keeps the others queued.
 */
@QuarkusTest
class JobQueriesTest extends GatewayTest {
    private final List<String> created = new ArrayList<>();

    /** Cancels what the test left running (queued jobs first, so none of them starts) and waits for the ends. */
    @AfterEach
    void cancelLeftovers() throws InterruptedException {
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                gateway.blocking.cancelJob(CancelJobRequest.newBuilder().setJobId(created.get(i)).build());
            } catch (StatusRuntimeException alreadyEnded) {
                assertEquals(Status.Code.FAILED_PRECONDITION, alreadyEnded.getStatus().getCode());
            }
        }
        for (String jobId : created) {
            assertTrue(GatewayClient.ended(gateway.awaitEnd(jobId, Duration.ofSeconds(60)).getState()), jobId);
        }
    }

    /** Submits a job and returns its id, leaving the Train stream after the first event. */
    private String submit(TrainRequest request) {
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            TrainEvent first = call.call(() -> gateway.blocking.train(request).next());
            call.cancel(null);
            assertTrue(first.hasAccepted(), first.toString());
            created.add(first.getJobId());
            return first.getJobId();
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
    }

    private static TrainRequest longJob(String label) {
        return TrainRequests.longRunning().putLabels("suite", label).build();
    }

    private static Status.Code codeOf(Runnable call) {
        return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
    }

    @Test
    void unknownJobsAreNotFound() {
        assertEquals(Status.Code.NOT_FOUND, codeOf(() -> gateway.job("nope")));
        assertEquals(Status.Code.NOT_FOUND, codeOf(() -> gateway.blocking.cancelJob(
                CancelJobRequest.newBuilder().setJobId("nope").build())));
        assertEquals(Status.Code.NOT_FOUND, codeOf(() -> gateway.blocking.watch(
                WatchRequest.newBuilder().setJobId("nope").build()).hasNext()));
    }

    @Test
    void listIsNewestFirstPagedAndFilteredByLabels() {
        String label = UUID.randomUUID().toString();
        String a = submit(longJob(label));
        String b = submit(longJob(label));
        String c = submit(TrainRequests.longRunning().putLabels("suite", label).putLabels("kind", "c").build());

        assertEquals(List.of(c, b, a), ids(ListJobsRequest.newBuilder().putLabelSelector("suite", label).build()));
        assertEquals(List.of(c, b), ids(ListJobsRequest.newBuilder().putLabelSelector("suite", label)
                .setPageSize(2).build()));
        assertEquals(List.of(c), ids(ListJobsRequest.newBuilder().putLabelSelector("suite", label)
                .putLabelSelector("kind", "c").build()));
        assertEquals(List.of(), ids(ListJobsRequest.newBuilder().putLabelSelector("suite", "no such label").build()));

        ListJobsResponse first = gateway.blocking.listJobs(ListJobsRequest.newBuilder()
                .putLabelSelector("suite", label).setPageSize(2).build());
        assertEquals(List.of(c, b), first.getJobsList().stream().map(Job::getJobId).toList());
        ListJobsResponse second = gateway.blocking.listJobs(ListJobsRequest.newBuilder()
                .putLabelSelector("suite", label).setPageSize(2).setPageToken(first.getNextPageToken()).build());
        assertEquals(List.of(a), second.getJobsList().stream().map(Job::getJobId).toList());
        assertEquals("", second.getNextPageToken(), "the last page has no next token");
        assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> gateway.blocking.listJobs(
                ListJobsRequest.newBuilder().setPageToken("not-a-token").build())));
    }

    @Test
    void queuedJobIsCancelledAtOnceAndAnEndedJobCannotBeCancelled() {
        String label = UUID.randomUUID().toString();
        String running = submit(longJob(label));
        String queued = submit(longJob(label));
        assertEquals(JobState.PENDING, gateway.job(queued).getState());

        Job cancelled = gateway.blocking.cancelJob(CancelJobRequest.newBuilder().setJobId(queued).build());
        assertEquals(JobState.CANCELLED, cancelled.getState());
        List<TrainEvent> events = Events.readAll(gateway.blocking.watch(
                WatchRequest.newBuilder().setJobId(queued).build()));
        Events.assertContiguous(events, 1);
        assertEquals(List.of(Stage.QUEUED), Events.startedStages(events));
        assertEquals(JobState.CANCELLED, events.get(events.size() - 1).getFinished().getState());

        assertEquals(Status.Code.FAILED_PRECONDITION, codeOf(() -> gateway.blocking.cancelJob(
                CancelJobRequest.newBuilder().setJobId(queued).build())));
        assertTrue(gateway.job(running).getState() == JobState.RUNNING
                || gateway.job(running).getState() == JobState.PENDING);
    }

    @Test
    void aFullQueueIsResourceExhausted() throws InterruptedException {
        String label = UUID.randomUUID().toString();
        String running = submit(longJob(label));
        awaitRunning(running); // so that it holds the only slot rather than a place in the queue
        for (int i = 0; i < 4; i++) {
            submit(longJob(label)); // fills the queue of four
        }
        StatusRuntimeException full = assertThrows(StatusRuntimeException.class,
                () -> gateway.blocking.train(longJob(label)).next());
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
        assertEquals(5, ids(ListJobsRequest.newBuilder().putLabelSelector("suite", label).build()).size(),
                "the refused job was not kept");
    }

    @Test
    void sameIdempotencyKeyReturnsTheSameJobAndADifferentRequestIsRefused() {
        String key = UUID.randomUUID().toString();
        TrainRequest request = TrainRequests.longRunning().setIdempotencyKey(key).build();
        String first = submit(request);
        try (Context.CancellableContext call = Context.current().withCancellation()) {
            List<TrainEvent> replay = call.call(() -> {
                Iterator<TrainEvent> stream = gateway.blocking.train(request);
                return List.of(stream.next(), stream.next());
            });
            call.cancel(null);
            assertEquals(first, replay.get(0).getJobId());
            assertEquals(1, replay.get(0).getSequence(), "the existing job's stream from its start");
            assertTrue(replay.get(0).hasAccepted());
            assertEquals(2, replay.get(1).getSequence());
        } catch (Exception e) {
            throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
        }
        TrainRequest different = request.toBuilder().putLabels("changed", "yes").build();
        StatusRuntimeException conflict = assertThrows(StatusRuntimeException.class,
                () -> gateway.blocking.train(different).next());
        assertEquals(Status.Code.ALREADY_EXISTS, conflict.getStatus().getCode());
        assertTrue(conflict.getStatus().getDescription().contains(first), conflict.getStatus().getDescription());
    }

    private static void awaitRunning(String jobId) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (gateway.job(jobId).getState() == JobState.PENDING && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(JobState.RUNNING, gateway.job(jobId).getState());
    }

    private static List<String> ids(ListJobsRequest request) {
        return gateway.blocking.listJobs(request).getJobsList().stream().map(Job::getJobId).toList();
    }
}
