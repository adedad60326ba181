package dev.anneal.api.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/**
 * A call to the gateway failed: the request was refused, the job is unknown, the connection broke, or a
 * followed stream ended before the job did. {@link #code()} is the gRPC status code; {@link #jobId()} and
 * {@link #lastSequence()} say where to re-attach with {@code watch} when a job had already been accepted.
 */
public final class AnnealException extends RuntimeException {

    private final Status.Code code;
    private final String jobId;
    private final long lastSequence;

    AnnealException(Status.Code code, String message, String jobId, long lastSequence, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.jobId = jobId;
        this.lastSequence = lastSequence;
    }

    static AnnealException from(Throwable failure, String jobId, long lastSequence) {
        Status status = Status.fromThrowable(failure);
        String description = status.getDescription() != null ? status.getDescription() : status.getCode().name();
        if (status.getCause() != null && status.getCause().getMessage() != null) {
            // e.g. UNAVAILABLE "io exception" says little; its cause says "Connection refused: localhost/...".
            description = description + ": " + status.getCause().getMessage();
        }
        return new AnnealException(status.getCode(), description, jobId, lastSequence, failure);
    }

    static AnnealException from(StatusRuntimeException failure) {
        return from(failure, null, 0);
    }

    /** The gRPC status code, e.g. INVALID_ARGUMENT for a refused request or NOT_FOUND for an unknown job. */
    public Status.Code code() {
        return code;
    }

    /** The job the failed stream was following, or null if no job had been accepted. */
    public String jobId() {
        return jobId;
    }

    /** The sequence of the last event received before the failure; pass it to {@code watch} to resume. */
    public long lastSequence() {
        return lastSequence;
    }
}
