package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.WatchRequest;
import dev.anneal.gateway.Events;
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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What the platform does around real fine-tuning jobs, through the gateway on a random port over a real gRPC
 * channel: re-attaching after a disconnect, cancelling mid-training. txtai's trainer scenarios themselves
 * (basic, custom base, file inputs, every task) are in {@link dev.anneal.gateway.e2e.txtai}.
 */
@QuarkusTest
class TrainEndToEndTest extends GatewayTest {
    private static Iterator<TrainEvent> train(TrainRequest request) {
        return gateway.blocking.withDeadlineAfter(5, TimeUnit.MINUTES).train(request);
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
}
