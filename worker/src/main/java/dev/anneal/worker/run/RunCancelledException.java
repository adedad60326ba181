package dev.anneal.worker.run;

/** Thrown inside a run when its cancellation was requested; the run ends CANCELLED. */
public final class RunCancelledException extends RuntimeException {
    public RunCancelledException() {
        super("cancelled", null, false, false);
    }
}
