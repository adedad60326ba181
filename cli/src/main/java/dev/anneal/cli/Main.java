package dev.anneal.cli;

import dev.anneal.api.client.AnnealException;
import io.grpc.Status;
import java.io.PrintWriter;
import picocli.CommandLine;

/** The {@code anneal} command line. */
public final class Main {

    private Main() {}

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The configured command line, also used by tests (with their own out/err writers). */
    static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new AnnealCommand());
        commandLine.setParameterExceptionHandler((e, arguments) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("error: " + e.getMessage());
            err.println("See 'anneal " + (e.getCommandLine().getCommandName().equals("anneal") ? ""
                    : e.getCommandLine().getCommandName() + " ") + "--help'.");
            err.flush();
            return ExitCodes.USAGE;
        });
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            PrintWriter err = cl.getErr();
            if (e instanceof AnnealException failure) {
                err.println("error: " + failure.code() + ": " + failure.getMessage());
                if (failure.code() == Status.Code.UNAVAILABLE) {
                    err.println(JobFollower.unreachableHint(cl.getParseResult().matchedOptionValue("--target",
                            System.getenv().getOrDefault("ANNEAL_TARGET", "localhost:9090")), false));
                }
            } else if (e instanceof IllegalStateException || e instanceof IllegalArgumentException
                    || e instanceof java.io.UncheckedIOException) {
                err.println("error: " + e.getMessage());
            } else {
                throw e;
            }
            err.flush();
            return ExitCodes.CALL_FAILED;
        });
        return commandLine;
    }
}
