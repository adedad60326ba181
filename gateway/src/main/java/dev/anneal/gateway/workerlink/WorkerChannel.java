package dev.anneal.gateway.workerlink;

import dev.anneal.api.v1.Ack;
import dev.anneal.api.v1.Cancel;
import dev.anneal.api.v1.CheckpointNow;
import dev.anneal.api.v1.GatewayMessage;
import dev.anneal.api.v1.JobSpec;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.jboss.logging.Logger;

/**
 * The gateway's end of one worker stream, after the worker said who it is. Sends are serialized because
 * the stream's own thread (spec, acks) and the scheduler (cancel) both send.
 */
public final class WorkerChannel {
    private static final Logger LOG = Logger.getLogger(WorkerChannel.class);

    private final String jobId;
    private final int attempt;
    private final StreamObserver<GatewayMessage> responses;
    private boolean closed;

    WorkerChannel(String jobId, int attempt, StreamObserver<GatewayMessage> responses) {
        this.jobId = jobId;
        this.attempt = attempt;
        this.responses = responses;
    }

    public String jobId() {
        return jobId;
    }

    public int attempt() {
        return attempt;
    }

    /** Asks the worker to stop at its next step boundary. */
    public void cancel() {
        send(GatewayMessage.newBuilder().setCancel(Cancel.getDefaultInstance()).build());
    }

    /** Asks the worker to save a checkpoint at its next step boundary. */
    public void checkpointNow() {
        send(GatewayMessage.newBuilder().setCheckpointNow(CheckpointNow.getDefaultInstance()).build());
    }

    void spec(JobSpec spec) {
        send(GatewayMessage.newBuilder().setSpec(spec).build());
    }

    void ack(long sequence) {
        send(GatewayMessage.newBuilder().setAck(Ack.newBuilder().setSequence(sequence)).build());
    }

    synchronized void fail(Status status) {
        if (closed) {
            return;
        }
        closed = true;
        try {
            responses.onError(status.asRuntimeException());
        } catch (RuntimeException alreadyGone) {
            LOG.debugf("worker stream of job %s already closed: %s", jobId, alreadyGone);
        }
    }

    synchronized void markClosed() {
        closed = true;
    }

    private synchronized void send(GatewayMessage message) {
        if (closed) {
            return;
        }
        try {
            responses.onNext(message);
        } catch (RuntimeException alreadyGone) {
            LOG.debugf("worker stream of job %s already closed: %s", jobId, alreadyGone);
        }
    }
}
