package dev.anneal.worker.main;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;
import io.grpc.Status;

/**
 * The worker process's exit codes, which the gateway reads from the pod: 0 and 3 are final, 1 (or a
 * kill) means the attempt was lost and may be retried from the latest checkpoint.
 */
public final class ExitCodes {
    /** The run ended and the gateway has its end: SUCCEEDED, CANCELLED, or FAILED for a reason a retry won't fix. */
    public static final int ENDED = 0;
    /** Anything else: the run could not finish or could not report its end. */
    public static final int LOST = 1;
    /** The request, its data or the worker's environment is invalid; running it again cannot help. */
    public static final int INVALID = 3;

    private ExitCodes() {
    }

    /** The code for a run whose {@code finished} event the gateway acknowledged. */
    public static int of(Finished finished) {
        if (finished.getState() != JobState.FAILED) {
            return ENDED;
        }
        return finished.getError().getCode().equals(Status.Code.INVALID_ARGUMENT.name()) ? INVALID : LOST;
    }
}
