package dev.anneal.worker.run;

import dev.anneal.api.v1.Stage;
import io.grpc.Status;

/**
 * A run that cannot go on, with the gRPC status code that describes why: INVALID_ARGUMENT for a bad
 * request or bad data (never retried), FAILED_PRECONDITION for a state problem, INTERNAL for a bug.
 */
public class RunFailure extends RuntimeException {
    private final Status.Code code;
    private Stage stage;

    public RunFailure(Status.Code code, String message) {
        this(code, message, null);
    }

    public RunFailure(Status.Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** A bad request: {@code field} names what is wrong the way the client spelled it. */
    public static RunFailure invalidArgument(String field, String problem) {
        return new RunFailure(Status.Code.INVALID_ARGUMENT, field + ": " + problem);
    }

    public Status.Code code() {
        return code;
    }

    /** The pipeline stage that failed, or null when the failure happened outside the stages. */
    public Stage stage() {
        return stage;
    }

    /** Records the failing stage once; the innermost stage wins. */
    public RunFailure inStage(Stage failed) {
        if (stage == null) {
            stage = failed;
        }
        return this;
    }
}
