package dev.anneal.worker.run;

/**
 * A cancel request shared between the job's owner and the run; the run polls it between steps. Also
 * carries the owner's "save a checkpoint now" request (the worker protocol's checkpoint-now).
 */
public final class Cancellation {
    private volatile boolean requested;
    private final java.util.concurrent.atomic.AtomicBoolean checkpointRequested =
            new java.util.concurrent.atomic.AtomicBoolean();

    /** Asks the run to save a checkpoint after its current optimizer step, then go on. */
    public void requestCheckpoint() {
        checkpointRequested.set(true);
    }

    /** Whether a checkpoint was asked for since the last call; clears the request. */
    public boolean takeCheckpointRequest() {
        return checkpointRequested.getAndSet(false);
    }

    public void request() {
        requested = true;
    }

    public boolean isRequested() {
        return requested;
    }

    /** Ends the run with {@link RunCancelledException} if a cancel was requested. */
    public void checkpoint() {
        if (requested) {
            throw new RunCancelledException();
        }
    }
}
