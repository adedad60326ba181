package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.cli.dataset.DatasetTable;
import java.io.PrintWriter;
import java.nio.file.Path;

/** Uploads the local files a train request names by path and replaces them with their data set ids. */
final class FileUploads {

    private FileUploads() {}

    static TrainRequest upload(AnnealClient client, TrainRequest request, PrintWriter err) {
        TrainRequest.Builder uploaded = request.toBuilder();
        if (request.getTrain().hasUri()) {
            uploaded.setTrain(upload(client, request.getTrain(), err));
        }
        if (request.hasValidation() && request.getValidation().hasUri()) {
            uploaded.setValidation(upload(client, request.getValidation(), err));
        }
        return uploaded.build();
    }

    private static Dataset upload(AnnealClient client, Dataset file, PrintWriter err) {
        Path path = Path.of(file.getUri());
        err.println("Uploading " + path + " ...");
        err.flush();
        DatasetInfo info = client.uploadDataset(path);
        err.println("Stored as " + DatasetTable.summary(info));
        err.flush();
        return Dataset.newBuilder().setDatasetId(info.getDatasetId()).build();
    }
}
