package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.cli.output.EventPrinter;
import dev.anneal.cli.output.Terminal;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "watch", description = {"Re-attach to a job: replay its events after --after, then follow it until it ends."})
final class WatchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
    String jobId;

    @Option(names = "--after", paramLabel = "N", defaultValue = "0",
            description = "Only events with a sequence greater than N (default 0: all of them).")
    long after;

    @Option(names = "--plain", description = "One line per event instead of a live progress bar.")
    boolean plain;

    @Override
    public Integer call() {
        if (after < 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--after must be >= 0, got " + after);
        }
        boolean live = !plain && Terminal.isInteractive();
        EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), live,
                live ? Terminal.width() : Integer.MAX_VALUE);
        try (AnnealClient client = gateway.connect()) {
            return new JobFollower(printer, spec.commandLine().getErr(), gateway.target, false)
                    .follow(listener -> client.follow(jobId, after, listener));
        }
    }
}
