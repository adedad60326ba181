package dev.anneal.cli;

import dev.anneal.api.v1.JobState;

/** What {@code anneal} exits with. */
final class ExitCodes {

    static final int SUCCEEDED = 0;
    static final int JOB_FAILED = 1;
    /** Bad command line or a request the CLI refuses before sending (picocli's usage code). */
    static final int USAGE = 2;
    static final int JOB_CANCELLED = 3;
    /** The gateway refused the call or could not be reached, or the stream broke. */
    static final int CALL_FAILED = 4;
    /** Ctrl-C: the CLI stopped following; the job keeps running. 128 + SIGINT, as shells do. */
    static final int DETACHED = 130;

    private ExitCodes() {}

    static int of(JobState state) {
        return switch (state) {
            case SUCCEEDED -> SUCCEEDED;
            case CANCELLED -> JOB_CANCELLED;
            default -> JOB_FAILED;
        };
    }
}
