package dev.anneal.worker.data;

import dev.anneal.api.v1.Dataset;
import dev.anneal.worker.run.RunFailure;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** Opens the {@link Dataset} of a request as a {@link RowSource}. */
public final class RowSources {
    private RowSources() {
    }

    /** A data set outside any run's data volume: rows or a uri (a dataset_id is refused). */
    public static RowSource of(String field, Dataset dataset) {
        return of(field, dataset, null);
    }

    /**
     * @param field        the request field holding the data set ("train", "validation"), used in errors
     * @param datasetsRoot where uploaded data sets live, for {@code dataset_id}; null when there are none
     */
    public static RowSource of(String field, Dataset dataset, Path datasetsRoot) {
        return switch (dataset.getSourceCase()) {
            case ROWS -> new InlineRows(field + ".rows", dataset.getRows().getRowsList());
            case URI -> file(field, field + ".uri", toPath(field, dataset.getUri()));
            case DATASET_ID -> file(field, field + ".dataset_id",
                    UploadedDatasets.dataFile(datasetsRoot, dataset.getDatasetId(), field + ".dataset_id"));
            case SOURCE_NOT_SET -> throw RunFailure.invalidArgument(field, "is required: give rows, a uri or a "
                    + "dataset_id");
        };
    }

    /** @param sourceField the field that named the file, for errors ("train.uri", "train.dataset_id") */
    private static RowSource file(String field, String sourceField, Path path) {
        String name = field + " (" + path + ")";
        if (Files.isDirectory(path)) {
            if (!HfDatasetDirectory.isDatasetDirectory(path)) {
                throw RunFailure.invalidArgument(sourceField, path + " is a directory but not a Hugging Face "
                        + "datasets directory (no state.json or dataset_dict.json)");
            }
            return HfDatasetDirectory.open(name, path, field);
        }
        if (!Files.isRegularFile(path)) {
            throw RunFailure.invalidArgument(sourceField, "no such file: " + path);
        }
        String fileName = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (fileName.endsWith(".jsonl") || fileName.endsWith(".json") || fileName.endsWith(".ndjson")) {
            return new JsonLinesFile(name, path);
        }
        if (fileName.endsWith(".csv")) {
            return new CsvFile(name, path);
        }
        if (fileName.endsWith(".arrow")) {
            return new ArrowStreamFile(name, path);
        }
        if (fileName.endsWith(".parquet")) {
            return new ParquetFile(name, path);
        }
        throw RunFailure.invalidArgument(sourceField, "unsupported file type '" + path.getFileName()
                + "'; expected .jsonl, .json, .csv, .parquet, .arrow or a Hugging Face datasets directory");
    }

    private static Path toPath(String field, String uri) {
        if (uri.isBlank()) {
            throw RunFailure.invalidArgument(field + ".uri", "is empty");
        }
        if (uri.startsWith("file:")) {
            try {
                return Path.of(URI.create(uri));
            } catch (IllegalArgumentException e) {
                throw RunFailure.invalidArgument(field + ".uri", "not a valid file URI: " + uri);
            }
        }
        if (uri.contains("://")) {
            throw RunFailure.invalidArgument(field + ".uri", "unsupported scheme in '" + uri
                    + "'; expected a path or a file:// URI");
        }
        return Path.of(uri);
    }
}
