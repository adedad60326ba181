package dev.anneal.cli;

import dev.anneal.api.client.AnnealException;
import dev.anneal.api.client.JobOutcome;
import dev.anneal.api.client.JobStream;
import dev.anneal.cli.output.EventPrinter;
import io.grpc.Status;
import java.io.PrintWriter;
import java.util.function.Function;

/**
 * Follows one job stream to its end for a command: prints the outcome, maps it to an exit code, and on Ctrl-C
 * detaches (the job keeps running) and says how to re-attach.
 */
final class JobFollower {

    private final EventPrinter printer;
    private final PrintWriter err;
    private final String target;
    private final boolean embedded;

    JobFollower(EventPrinter printer, PrintWriter err, String target, boolean embedded) {
        this.printer = printer;
        this.err = err;
        this.target = target;
        this.embedded = embedded;
    }

    /** Starts the stream, waits for the job to end and returns the exit code. */
    int follow(Function<EventPrinter, JobStream> start) {
        JobStream stream = start.apply(printer);
        Thread detachOnInterrupt = new Thread(() -> detach(stream), "anneal-detach");
        Runtime.getRuntime().addShutdownHook(detachOnInterrupt);
        try {
            JobOutcome outcome = stream.await();
            printer.printOutcome(outcome);
            return ExitCodes.of(outcome.state());
        } catch (AnnealException e) {
            if (stream.isDetached()) {
                return ExitCodes.DETACHED;
            }
            printer.interrupt();
            err.println("error: " + e.code() + ": " + e.getMessage());
            if (e.code() == Status.Code.UNAVAILABLE && e.jobId() == null) {
                err.println(unreachableHint(target, embedded));
            } else if (e.jobId() != null && !embedded && streamBroke(e.code())) {
                err.println("The job may still be running; re-attach with: " + watchCommand(stream));
            }
            err.flush();
            return ExitCodes.CALL_FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(detachOnInterrupt);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running or has run.
            }
        }
    }

    private void detach(JobStream stream) {
        if (stream.isDone()) {
            return;
        }
        stream.detach();
        printer.interrupt();
        String jobId = stream.jobId();
        if (jobId == null) {
            err.println("Interrupted before the gateway accepted the job.");
        } else if (embedded) {
            err.println("Interrupted: the embedded gateway stops now, and job " + jobId + " with it.");
        } else {
            err.println("Detached from job " + jobId + " after event " + stream.lastSequence()
                    + "; it keeps running on the gateway.");
            err.println("Re-attach: " + watchCommand(stream));
            err.println("Stop it:   anneal cancel " + jobId + targetFlag());
        }
        err.flush();
    }

    private String watchCommand(JobStream stream) {
        return "anneal watch " + stream.jobId() + " --after " + stream.lastSequence() + targetFlag();
    }

    private String targetFlag() {
        return target.equals("localhost:9090") ? "" : " --target " + target;
    }

    /** A broken connection or stream, as opposed to an answer about the request or the job. */
    private static boolean streamBroke(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE, CANCELLED, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN, ABORTED -> true;
            default -> false;
        };
    }

    static String unreachableHint(String target, boolean embedded) {
        return embedded ? "The embedded gateway stopped answering; see its log."
                : "Is a gateway running at " + target + "? Start one with"
                        + " `java -jar gateway/target/quarkus-app/quarkus-run.jar`, or run `anneal train --embedded ...`.";
    }
}
