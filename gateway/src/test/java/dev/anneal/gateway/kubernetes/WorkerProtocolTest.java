package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.GatewayMessage;
import dev.anneal.api.v1.JobSpec;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.WorkerEvent;
import dev.anneal.api.v1.WorkerHello;
import dev.anneal.api.v1.WorkerMessage;
import dev.anneal.api.v1.WorkerServiceGrpc;
import dev.anneal.gateway.job.EventJournal;
import dev.anneal.gateway.job.JobObserver;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.workerlink.WorkerLinkService;
import dev.anneal.gateway.workerlink.WorkerServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gateway's side of the worker protocol over a real gRPC port, driven message by message. */
class WorkerProtocolTest {
    private static final String TOKEN = "right-token";

    @TempDir
    Path dataDir;
    private JobStore store;
    private JobRecord job;
    private AttemptState state;
    private WorkerServer server;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        store = JobStore.open(dataDir.resolve("jobs"), dir -> EventJournal.none(), JobObserver.NONE, Clock.systemUTC(),
                true);
        job = store.create(TrainRequest.newBuilder().setBase("bert").build()).job();
        job.append(TrainEvent.newBuilder().setStageStarted(dev.anneal.api.v1.StageStarted.newBuilder()
                .setStage(Stage.SCHEDULED)).build());
        state = AttemptState.fromLog(job, Instant.now());
        state.token = TOKEN;
        Map<String, AttemptState> tracked = new ConcurrentHashMap<>(Map.of(job.id(), state));
        server = WorkerServer.start(0, new WorkerLinkService(new WorkerSessions(store, tracked,
                (id, attempt) -> attempt == 1 ? TOKEN : null, // attempt 1's Secret, as the API server would return it
                dataDir)));
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.close();
        store.close();
    }

    @Test
    void wrongTokenIsPermissionDenied() throws InterruptedException {
        Worker worker = new Worker();
        worker.hello(1, "wrong-token");
        assertEquals(Status.Code.PERMISSION_DENIED, worker.awaitError().getCode());
    }

    @Test
    void supersededAttemptIsRefusedSoItsWorkerStops() throws InterruptedException {
        Worker worker = new Worker();
        worker.hello(2, TOKEN); // attempt 2 has no Secret yet
        assertEquals(Status.Code.PERMISSION_DENIED, worker.awaitError().getCode());
        synchronized (job) {
            state.nextAttempt();
            state.created = true;
        }
        Worker old = new Worker();
        old.hello(1, TOKEN);
        assertEquals(Status.Code.FAILED_PRECONDITION, old.awaitError().getCode());
    }

    @Test
    void eventsContinueTheJobsSequenceAndResentOnesAreDropped() throws InterruptedException {
        Worker worker = new Worker();
        worker.hello(1, TOKEN);
        JobSpec spec = worker.next().getSpec();
        long bound = job.events().lastSequence();
        TrainEvent marker = job.events().get(bound);
        assertEquals(Stage.SCHEDULED, marker.getStageFinished().getStage(), "connecting finishes SCHEDULED");
        assertEquals(bound + 1, spec.getFirstSequence());
        assertEquals(bound, spec.getAcknowledgedSequence());
        assertEquals("jobs/" + job.id(), spec.getJobDir());
        assertEquals("jobs", spec.getJobsRoot());

        long first = spec.getFirstSequence();
        worker.event(first, "one");
        assertEquals(first, worker.next().getAck().getSequence());
        worker.event(first + 1, "two");
        assertEquals(first + 1, worker.next().getAck().getSequence());
        worker.event(first, "one"); // a re-send after a lost ack
        assertEquals(first + 1, worker.next().getAck().getSequence());
        assertEquals(first + 1, job.events().lastSequence());
        assertEquals(List.of("one", "two"), job.events().after(bound).stream().map(e -> e.getLog().getMessage())
                .toList());

        // A reconnect: the spec says what the gateway holds; SCHEDULED is not finished twice.
        Worker again = new Worker();
        again.hello(1, TOKEN);
        assertEquals(first + 1, again.next().getSpec().getAcknowledgedSequence());
        assertEquals(first + 1, job.events().lastSequence());

        again.event(first + 3, "four"); // a gap
        assertEquals(Status.Code.ABORTED, again.awaitError().getCode());
        assertEquals(first + 1, job.events().lastSequence());
    }

    @Test
    void eventsAfterTheJobEndedAreRefusedWithCancel() throws InterruptedException {
        Worker worker = new Worker();
        worker.hello(1, TOKEN);
        long first = worker.next().getSpec().getFirstSequence();
        job.failIfRunning("UNAVAILABLE", "ended elsewhere");
        worker.event(first + 1, "late");
        assertTrue(worker.next().hasCancel());
        assertEquals(Status.Code.FAILED_PRECONDITION, worker.awaitError().getCode());
    }

    /** A worker end driven by hand. */
    private final class Worker {
        private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
        private final StreamObserver<WorkerMessage> requests;

        Worker() {
            requests = WorkerServiceGrpc.newStub(channel).connect(new StreamObserver<>() {
                @Override
                public void onNext(GatewayMessage message) {
                    received.add(message);
                }

                @Override
                public void onError(Throwable error) {
                    received.add(Status.fromThrowable(error));
                }

                @Override
                public void onCompleted() {
                    received.add(Status.OK);
                }
            });
        }

        void hello(int attempt, String token) {
            requests.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder().setJobId(job.id())
                    .setAttempt(attempt).setToken(token)).build());
        }

        void event(long sequence, String message) {
            requests.onNext(WorkerMessage.newBuilder().setEvent(WorkerEvent.newBuilder().setSequence(sequence)
                    .setEvent(TrainEvent.newBuilder().setLog(Log.newBuilder().setMessage(message)))).build());
        }

        GatewayMessage next() throws InterruptedException {
            Object next = received.poll(10, TimeUnit.SECONDS);
            if (!(next instanceof GatewayMessage message)) {
                throw new AssertionError("expected a message, got " + next);
            }
            return message;
        }

        Status awaitError() throws InterruptedException {
            while (true) {
                Object next = received.poll(10, TimeUnit.SECONDS);
                if (next == null) {
                    throw new AssertionError("the stream did not end");
                }
                if (next instanceof Status status) {
                    return status;
                }
            }
        }
    }
}
