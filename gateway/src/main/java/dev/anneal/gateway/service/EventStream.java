package dev.anneal.gateway.service;

import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.job.EventLog;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.Counter;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * Sends one job's events to one server-streaming call, honouring gRPC flow control. The stream keeps
 * only a cursor (the last sequence it sent) and reads the next event from the job's log when the call
 * is ready for it; when the client is slow the events wait in the log, not in a buffer of this stream.
 * It wakes up when the call becomes ready again or the log grows; it ends after {@code finished}.
 */
final class EventStream {
    private static final Logger LOG = Logger.getLogger(EventStream.class);

    private final String jobId;
    private final EventLog log;
    private final ServerCallStreamObserver<TrainEvent> call;
    private final Counter sentCounter;
    private final Consumer<EventStream> onClose;
    /** Serialises {@link #drain()}: the call may be written by one thread at a time. */
    private final AtomicInteger drainRequests = new AtomicInteger();
    private final AtomicLong sent = new AtomicLong();
    private volatile long cursor;
    private volatile boolean closed;
    private EventLog.Following following;

    EventStream(EventLog log, long afterSequence, ServerCallStreamObserver<TrainEvent> call, Counter sentCounter,
            Consumer<EventStream> onClose) {
        this.jobId = log.jobId();
        this.log = log;
        this.cursor = afterSequence;
        this.call = call;
        this.sentCounter = sentCounter;
        this.onClose = onClose;
    }

    /** Registers the call's handlers; must run inside the service method, before it returns. */
    void start() {
        call.setOnCancelHandler(() -> close("cancelled by the client"));
        call.setOnReadyHandler(this::drain);
        following = log.follow(this::drain);
        drain();
    }

    /** Sends what the call is ready for; any thread may call it, one of them does the work. */
    void drain() {
        if (drainRequests.getAndIncrement() != 0) {
            return;
        }
        do {
            sendWhileReady();
        } while (drainRequests.decrementAndGet() != 0);
    }

    private void sendWhileReady() {
        while (!closed && call.isReady()) {
            TrainEvent next = log.get(cursor + 1);
            if (next == null) {
                completeIfEnded();
                return;
            }
            try {
                call.onNext(next);
            } catch (RuntimeException e) {
                // The call went away between isReady() and onNext(): nothing more to send.
                LOG.debugf(e, "stream of job %s ended while sending", jobId);
                close("failed: " + e);
                return;
            }
            cursor = next.getSequence();
            sent.incrementAndGet();
            sentCounter.increment();
            if (next.hasFinished()) {
                close("job ended");
                call.onCompleted();
                return;
            }
        }
    }

    /** A client that asked for events after the job's last one gets an empty, completed stream. */
    private void completeIfEnded() {
        TrainEvent last = log.get(log.lastSequence());
        if (last != null && last.hasFinished() && cursor >= last.getSequence()) {
            close("nothing after sequence " + cursor + " of an ended job");
            call.onCompleted();
        }
    }

    private void close(String why) {
        if (closed) {
            return;
        }
        closed = true;
        if (following != null) {
            following.close();
        }
        onClose.accept(this);
        LOG.debugf("stream of job %s closed after sequence %d: %s", jobId, cursor, why);
    }

    String jobId() {
        return jobId;
    }

    /** Events this stream has handed to gRPC. */
    long sent() {
        return sent.get();
    }

    /** The sequence of the last event handed to gRPC. */
    long cursor() {
        return cursor;
    }

    /** Events in the log that this stream has not sent yet (they wait in the log, not in memory here). */
    long behind() {
        return log.lastSequence() - cursor;
    }

    boolean closed() {
        return closed;
    }
}
