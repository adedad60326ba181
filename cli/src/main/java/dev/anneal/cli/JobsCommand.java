package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.cli.output.JobTable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "jobs", description = "List jobs, newest first.")
final class JobsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "100", description = "At most N jobs (default 100).")
    int limit;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only jobs with this label (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    public Integer call() {
        if (limit <= 0) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--limit must be positive, got " + limit);
        }
        try (AnnealClient client = gateway.connect()) {
            var jobs = client.listJobs(ListJobsRequest.newBuilder().setPageSize(limit).putAllLabelSelector(labels).build());
            spec.commandLine().getOut().print(JobTable.render(jobs));
            spec.commandLine().getOut().flush();
            return ExitCodes.SUCCEEDED;
        }
    }
}
