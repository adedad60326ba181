package dev.anneal.gateway.dataset;

import dev.anneal.api.v1.DatasetFormat;
import io.grpc.Status;
import java.util.Locale;

/** Which reader an upload is for: the declared format, or the one its file name's extension implies. */
final class DatasetFormats {
    private DatasetFormats() {
    }

    /** @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT naming metadata.format or metadata.filename */
    static DatasetFormat resolve(DatasetFormat declared, String filename) {
        if (declared == DatasetFormat.UNRECOGNIZED) {
            throw Status.INVALID_ARGUMENT.withDescription("metadata.format: unknown format; expected JSON_LINES, "
                    + "CSV, PARQUET or ARROW").asRuntimeException();
        }
        if (declared != DatasetFormat.DATASET_FORMAT_UNSPECIFIED) {
            return declared;
        }
        String name = filename.toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return DatasetFormat.JSON_LINES;
        }
        if (name.endsWith(".csv")) {
            return DatasetFormat.CSV;
        }
        if (name.endsWith(".parquet")) {
            return DatasetFormat.PARQUET;
        }
        if (name.endsWith(".arrow")) {
            return DatasetFormat.ARROW;
        }
        throw Status.INVALID_ARGUMENT.withDescription("metadata.format: not given, and the filename '" + filename
                + "' has no known extension (.jsonl, .json, .ndjson, .csv, .parquet, .arrow)").asRuntimeException();
    }
}
