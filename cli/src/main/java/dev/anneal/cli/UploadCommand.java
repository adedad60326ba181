package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.cli.dataset.DatasetFormatNames;
import dev.anneal.cli.dataset.DatasetTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "upload", description = {"Store a data set file on the gateway for later jobs.",
        "Prints its id; train on it with `anneal train --train <id>`."})
final class UploadCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    GatewayOptions gateway;

    @Parameters(index = "0", paramLabel = "FILE", description = "A .jsonl/.json, .csv, .parquet or .arrow file.")
    Path file;

    @Option(names = "--format", paramLabel = "FORMAT",
            description = "jsonl, csv, parquet or arrow; default: from the file's extension.")
    String format;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label stored with the data set (repeatable).")
    Map<String, String> labels = new LinkedHashMap<>();

    @Override
    public Integer call() {
        DatasetFormat parsed;
        try {
            parsed = DatasetFormatNames.parse(format);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        }
        if (!Files.isRegularFile(file)) {
            throw new ParameterException(spec.commandLine(), file + ": no such file");
        }
        try (AnnealClient client = gateway.connect()) {
            DatasetInfo info = client.uploadDataset(file, parsed, labels);
            spec.commandLine().getOut().println(info.getDatasetId());
            spec.commandLine().getErr().println("Uploaded " + file + " as " + DatasetTable.summary(info));
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().flush();
            return ExitCodes.SUCCEEDED;
        }
    }
}
