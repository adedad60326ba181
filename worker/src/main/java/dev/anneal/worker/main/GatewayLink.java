package dev.anneal.worker.main;

import dev.anneal.api.v1.GatewayMessage;
import dev.anneal.api.v1.JobSpec;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.WorkerEvent;
import dev.anneal.api.v1.WorkerHello;
import dev.anneal.api.v1.WorkerMessage;
import dev.anneal.api.v1.WorkerServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of the worker protocol (anneal/v1/worker.proto): keeps one stream to the gateway,
 * dials again when it breaks, numbers the run's events, keeps every event until the gateway acknowledges
 * it and re-sends the unacknowledged ones after each reconnect. All state is guarded by {@code this}.
 */
public final class GatewayLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayLink.class);
    private static final Duration FIRST_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    /** Answers that mean dialling again cannot help. */
    private static final Set<Status.Code> FINAL = Set.of(Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.INVALID_ARGUMENT,
            Status.Code.UNIMPLEMENTED);

    private final WorkerSettings settings;
    private final Listener listener;
    private final ManagedChannel channel;
    private final WorkerServiceGrpc.WorkerServiceStub stub;
    private final ScheduledExecutorService dialer;
    private final Deque<WorkerEvent> unacknowledged = new ArrayDeque<>();

    private JobSpec spec;
    private long nextSequence;
    private long acknowledged;
    private StreamObserver<WorkerMessage> stream;
    /** The current call, so a late callback of an old call is ignored. */
    private Call call;
    private long lastConnected = System.nanoTime();
    private Duration backoff = FIRST_BACKOFF;
    private Status refused;
    private boolean closed;

    /** What the gateway asks of the run. Called on gRPC threads. */
    public interface Listener {
        void cancel();

        void checkpointNow();
    }

    public GatewayLink(WorkerSettings settings, Listener listener) {
        this.settings = settings;
        this.listener = listener;
        this.channel = NettyChannelBuilder.forTarget(settings.gatewayAddress()).usePlaintext().build();
        this.stub = WorkerServiceGrpc.newStub(channel);
        this.dialer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "anneal-gateway-link");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Dials the gateway; the spec arrives later (see {@link #awaitSpec}). */
    public void start() {
        dialer.execute(this::dial);
    }

    /**
     * Waits for the gateway's first spec.
     *
     * @throws RefusedException when the gateway refused this worker or could not be reached in time
     */
    public synchronized JobSpec awaitSpec() throws InterruptedException {
        while (spec == null) {
            throwIfRefused();
            wait(1000);
        }
        return spec;
    }

    /** Numbers an event, keeps it until acknowledged and sends it if connected. Called by the run. */
    public synchronized void emit(TrainEvent payload) {
        if (spec == null) {
            throw new IllegalStateException("an event before the job spec arrived");
        }
        WorkerEvent event = WorkerEvent.newBuilder().setSequence(nextSequence++).setEvent(payload).build();
        unacknowledged.addLast(event);
        if (stream != null) {
            send(event);
        }
    }

    /**
     * Waits until the gateway acknowledged every event emitted so far.
     *
     * @return false if the gateway refused the worker or stayed unreachable past the reconnect budget
     */
    public synchronized boolean awaitAcknowledged() throws InterruptedException {
        while (!unacknowledged.isEmpty()) {
            if (refused != null) {
                return false;
            }
            wait(1000);
        }
        return true;
    }

    /** Why the gateway refused this worker, or null. */
    public synchronized Status refused() {
        return refused;
    }

    private void dial() {
        Call thisCall = new Call();
        synchronized (this) {
            if (closed || refused != null) {
                return;
            }
            call = thisCall;
            thisCall.requests = stub.connect(new StreamObserver<>() {
                @Override
                public void onNext(GatewayMessage message) {
                    received(thisCall, message);
                }

                @Override
                public void onError(Throwable error) {
                    broken(thisCall, Status.fromThrowable(error));
                }

                @Override
                public void onCompleted() {
                    broken(thisCall, Status.UNAVAILABLE.withDescription("the gateway ended the stream"));
                }
            });
            thisCall.requests.onNext(WorkerMessage.newBuilder().setHello(WorkerHello.newBuilder().setJobId(settings.jobId())
                    .setAttempt(settings.attempt()).setToken(settings.token())).build());
        }
    }

    private synchronized void received(Call fromCall, GatewayMessage message) {
        if (fromCall != call) {
            return;
        }
        switch (message.getMessageCase()) {
            case SPEC -> connected(fromCall, message.getSpec());
            case ACK -> acknowledge(message.getAck().getSequence());
            case CANCEL -> listener.cancel();
            case CHECKPOINT_NOW -> listener.checkpointNow();
            default -> LOG.warn("ignoring an unknown message from the gateway: {}", message.getMessageCase());
        }
    }

    private void connected(Call fromCall, JobSpec newSpec) {
        if (spec == null) {
            spec = newSpec;
            nextSequence = newSpec.getFirstSequence();
            acknowledged = newSpec.getFirstSequence() - 1;
            LOG.info("connected to the gateway at {}: job {} attempt {}, first event {}", settings.gatewayAddress(),
                    settings.jobId(), newSpec.getAttempt(), nextSequence);
        } else {
            LOG.info("reconnected to the gateway: it holds events up to {}, re-sending {} events",
                    newSpec.getAcknowledgedSequence(), unacknowledged.size());
        }
        acknowledge(newSpec.getAcknowledgedSequence());
        lastConnected = System.nanoTime();
        backoff = FIRST_BACKOFF;
        stream = fromCall.requests;
        for (WorkerEvent event : unacknowledged) {
            send(event);
        }
        notifyAll();
    }

    private void acknowledge(long sequence) {
        acknowledged = Math.max(acknowledged, sequence);
        while (!unacknowledged.isEmpty() && unacknowledged.peekFirst().getSequence() <= acknowledged) {
            unacknowledged.removeFirst();
        }
        notifyAll();
    }

    private void send(WorkerEvent event) {
        try {
            stream.onNext(WorkerMessage.newBuilder().setEvent(event).build());
        } catch (RuntimeException e) {
            // The call broke; onError follows and a reconnect re-sends what was not acknowledged.
            LOG.debug("send failed: {}", e.toString());
        }
    }

    private synchronized void broken(Call fromCall, Status status) {
        if (fromCall != call || closed) {
            return;
        }
        call = null;
        stream = null;
        if (FINAL.contains(status.getCode())) {
            LOG.warn("the gateway refused job {} attempt {}: {} {}", settings.jobId(), settings.attempt(),
                    status.getCode(), status.getDescription());
            refused = status;
            notifyAll();
            return;
        }
        Duration disconnected = Duration.ofNanos(System.nanoTime() - lastConnected);
        if (disconnected.compareTo(settings.reconnectBudget()) > 0) {
            LOG.error("the gateway at {} has been unreachable for {} s; giving up", settings.gatewayAddress(),
                    disconnected.toSeconds());
            refused = Status.UNAVAILABLE.withDescription("gateway unreachable for " + disconnected.toSeconds() + " s");
            notifyAll();
            return;
        }
        LOG.info("lost the gateway ({} {}); dialling again in {} ms", status.getCode(), status.getDescription(),
                backoff.toMillis());
        dialer.schedule(this::dial, backoff.toMillis(), TimeUnit.MILLISECONDS);
        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }

    private void throwIfRefused() {
        if (refused != null) {
            throw new RefusedException(refused);
        }
    }

    @Override
    public void close() {
        StreamObserver<WorkerMessage> open;
        synchronized (this) {
            closed = true;
            open = call == null ? null : call.requests;
            stream = null;
            call = null;
        }
        if (open != null) {
            try {
                open.onCompleted();
            } catch (RuntimeException ignored) {
                // already broken
            }
        }
        dialer.shutdownNow();
        channel.shutdown();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One dialled stream. */
    private static final class Call {
        StreamObserver<WorkerMessage> requests;
    }

    /** The gateway refused this worker (wrong token, job ended, attempt superseded) or stayed unreachable. */
    public static final class RefusedException extends RuntimeException {
        private final Status status;

        RefusedException(Status status) {
            super(status.getCode() + ": " + status.getDescription());
            this.status = status;
        }

        public Status status() {
            return status;
        }
    }
}
