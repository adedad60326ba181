package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.cli.dataset.DatasetTable;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "datasets", description = "List uploaded data sets, newest first, or delete one.")
final class DatasetsCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Option(names = "--delete", paramLabel = "ID", description = "Delete this data set instead of listing.")
    String delete;

    @Override
    public Integer call() {
        try (AnnealClient client = gateway.connect()) {
            if (delete != null) {
                DatasetInfo deleted = client.deleteDataset(delete);
                spec.commandLine().getOut().println("Deleted " + DatasetTable.summary(deleted));
            } else {
                spec.commandLine().getOut().print(DatasetTable.render(client.listDatasets()));
            }
            spec.commandLine().getOut().flush();
            return ExitCodes.SUCCEEDED;
        }
    }
}
