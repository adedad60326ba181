package dev.anneal.worker.run;

/** A cancel request shared between the job's owner and the run; the run polls it between steps. */
public final class Cancellation {
    private volatile boolean requested;

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
