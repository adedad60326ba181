package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.Job;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "cancel", description = "Ask a job to stop; a running job ends CANCELLED at its next step.")
final class CancelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "JOB", description = "The job id.")
    String jobId;

    @Override
    public Integer call() {
        try (AnnealClient client = gateway.connect()) {
            Job job = client.cancel(jobId);
            spec.commandLine().getOut().println("Cancel requested: job " + job.getJobId() + " is " + job.getState()
                    + " (stage " + job.getStage() + ")");
            spec.commandLine().getOut().flush();
            return ExitCodes.SUCCEEDED;
        }
    }
}
