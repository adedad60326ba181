package dev.anneal.gateway.job;

/** An idempotency key that is already bound to a job with a different request. */
public final class JobConflictException extends RuntimeException {
    private final String existingJobId;

    public JobConflictException(String idempotencyKey, String existingJobId) {
        super("idempotency_key: \"" + idempotencyKey + "\" was already used by job " + existingJobId
                + " with a different request");
        this.existingJobId = existingJobId;
    }

    public String existingJobId() {
        return existingJobId;
    }
}
