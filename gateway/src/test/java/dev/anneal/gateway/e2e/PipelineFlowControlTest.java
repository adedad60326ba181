package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.GatewayClient;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.gateway.service.OpenStreams;
import io.grpc.Context;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Iterator;
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

    @Inject
    OpenStreams streams;

    @Test
    void slowClientDoesNotMakeTheGatewayBufferAndTheJobFinishes() throws Exception {
        TrainRequest.Builder request = TrainRequests.txtaiBasic();
        request.setMaxlength(16).getArgsBuilder().setMaxSteps(STEPS).setLoggingSteps(1);
        try (GatewayClient slow = GatewayClient.connectWithWindow(4 * 1024);
                GatewayClient control = GatewayClient.connect();
                Context.CancellableContext call = Context.current().withCancellation()) {
            // The blocking stub asks gRPC for one message each time next() is called: a reader that takes one
            // event per second holds the stream back through flow control.
            Iterator<TrainEvent> stream = call.call(() -> slow.blocking.train(request.build()));
            long read = 0;
            long maxInFlight = 0;
            long maxBehind = 0;
            String jobId = null;
            Job job = null;
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            while (System.nanoTime() < deadline && stream.hasNext()) {
                TrainEvent event = stream.next();
                read++;
                jobId = event.getJobId();
                Thread.sleep(1_000);
                for (OpenStreams.StreamProgress progress : streams.of(jobId)) {
                    maxInFlight = Math.max(maxInFlight, progress.sent() - read);
                    maxBehind = Math.max(maxBehind, progress.behind());
                }
                job = control.job(jobId);
                if (GatewayClient.ended(job.getState())) {
                    break;
                }
            }
            LOG.infof("slow client read %d events while the job appended %d; at most %d in flight, at most %d "
                    + "waiting in the log", read, job.getLastSequence(), maxInFlight, maxBehind);
            assertEquals(JobState.SUCCEEDED, job.getState(), "the job finishes although its client is slow");
            assertTrue(job.getLastSequence() > STEPS, "a progress event per step: " + job.getLastSequence());
            assertTrue(maxInFlight < IN_FLIGHT_BOUND, "events handed to gRPC but unread: " + maxInFlight);
            // The gateway held events back in the log instead of pushing them at the client.
            assertTrue(maxBehind >= 1_000, "the job ran ahead of its reader: " + maxBehind + " events waiting, "
                    + maxInFlight + " in flight");
            call.cancel(null);
        }
    }
}
