package dev.anneal.gateway.workerlink;

import dev.anneal.api.v1.JobSpec;
import dev.anneal.api.v1.WorkerEvent;
import dev.anneal.api.v1.WorkerHello;
import io.grpc.StatusRuntimeException;

/** What the worker service asks of the scheduler that started the workers. */
public interface WorkerAttempts {

    /**
     * Checks a worker's hello and binds its channel to the job's current attempt.
     *
     * @return the spec to send it
     * @throws StatusRuntimeException NOT_FOUND, PERMISSION_DENIED, or FAILED_PRECONDITION when the job ended or
     *                                the attempt was superseded
     */
    JobSpec attach(WorkerHello hello, WorkerChannel channel);

    /**
     * Appends a worker's event if it is the job's next one, drops it if the job already has it.
     *
     * @return the highest sequence now durable, to acknowledge
     * @throws StatusRuntimeException FAILED_PRECONDITION when the job ended or the attempt was superseded;
     *                                ABORTED for a gap (the worker reconnects and re-sends)
     */
    long deliver(WorkerChannel channel, WorkerEvent event);

    /** The worker's stream ended. */
    void detach(WorkerChannel channel);
}
