package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.GatewayClient;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.gateway.service.OpenStreams;
import io.grpc.Context;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A client that reads one event per second while a real training job emits a progress event every step:
 * what the gateway has handed to gRPC for that client stays bounded by the stream's buffer and the client's
 * window, the rest waits in the job's log, and the job still finishes. (The job is sized for this 2-core
 * machine: about 90 steps/s when it is otherwise idle, so the job emits its ~2000 events in ~25 s.)
 */
@QuarkusTest
class PipelineFlowControlTest {
    private static final Logger LOG = Logger.getLogger(PipelineFlowControlTest.class);
    private static final int STEPS = 2_000;
    /**
     * What may be in flight to the client: its 4 KiB receive window, the stream's 2 KiB buffer
     * (anneal.stream.buffer-bytes in the test profile) and the transports' frames, measured at about 160
     * events of ~100 bytes; the bound leaves room and is a constant, however long the job runs.
     */
    private static final long IN_FLIGHT_BOUND = 400;
    /** How far the job must run ahead of the slow reader: several times what may be in flight. */
    private static final long AHEAD = 1_000;

    @Inject
    OpenStreams streams;

    @Test
    void slowClientDoesNotMakeTheGatewayBufferAndTheJobFinishes() throws Exception {
        TrainRequest.Builder request = TrainRequests.txtaiBasic();
        request.setMaxlength(16).getArgsBuilder().setMaxSteps(STEPS).setLoggingSteps(1);
        try (GatewayClient slow = GatewayClient.connectWithWindow(4 * 1024);
                Context.CancellableContext call = Context.current().withCancellation()) {
            // The blocking stub asks gRPC for one message each time next() is called: a reader that takes one
            // event per second holds the stream back through flow control.
            Iterator<TrainEvent> stream = call.call(() -> slow.blocking.withDeadlineAfter(30, TimeUnit.MINUTES)
                    .train(request.build()));
            List<TrainEvent> events = new ArrayList<>();
            long maxInFlight = 0;
            long maxBehind = 0;
            long slowUntil = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            // Read slowly until the job has run far ahead of this reader (or has ended).
            while (maxBehind < AHEAD && System.nanoTime() < slowUntil && stream.hasNext()) {
                events.add(stream.next());
                Thread.sleep(1_000);
                for (OpenStreams.StreamProgress progress : streams.of(events.get(0).getJobId())) {
                    maxInFlight = Math.max(maxInFlight, progress.sent() - events.size());
                    maxBehind = Math.max(maxBehind, progress.behind());
                }
            }
            int readSlowly = events.size();
            // Then read the rest at full speed: nothing was lost or reordered, and the job ran to its end.
            stream.forEachRemaining(events::add);
            LOG.infof("slow client read %d events in %d s while the job ran ahead by up to %d; at most %d in flight; "
                    + "%d events in all", readSlowly, readSlowly, maxBehind, maxInFlight, events.size());
            Events.assertContiguous(events, 1);
            assertEquals(JobState.SUCCEEDED, events.get(events.size() - 1).getFinished().getState());
            assertTrue(events.size() > STEPS, "a progress event per step: " + events.size());
            assertTrue(maxInFlight < IN_FLIGHT_BOUND, "events handed to gRPC but unread: " + maxInFlight);
            // The gateway held those events back in the log instead of pushing them at the client.
            assertTrue(maxBehind >= AHEAD, "the job ran ahead of its reader: " + maxBehind + " events waiting, "
                    + maxInFlight + " in flight");
        }
    }
}
