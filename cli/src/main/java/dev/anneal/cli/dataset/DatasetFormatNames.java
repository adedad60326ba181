package dev.anneal.cli.dataset;

import dev.anneal.api.v1.DatasetFormat;
import java.util.Locale;

/** Format names on the command line ("jsonl", "csv", "parquet", "arrow") and the proto {@link DatasetFormat}. */
public final class DatasetFormatNames {

    private DatasetFormatNames() {}

    /** Null or blank means: let the gateway go by the file's extension. */
    public static DatasetFormat parse(String name) {
        if (name == null || name.isBlank()) {
            return DatasetFormat.DATASET_FORMAT_UNSPECIFIED;
        }
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "jsonl", "json", "ndjson", "json-lines", "json_lines" -> DatasetFormat.JSON_LINES;
            case "csv" -> DatasetFormat.CSV;
            case "parquet" -> DatasetFormat.PARQUET;
            case "arrow" -> DatasetFormat.ARROW;
            default -> throw new IllegalArgumentException("--format " + name
                    + ": unknown format; one of jsonl, csv, parquet, arrow");
        };
    }

    /** True for a name the data set ids the gateway hands out look like, e.g. "ds-0f3c...". */
    public static boolean isDatasetId(String text) {
        return text.matches("ds-[0-9a-f]{32}");
    }

    /** True for a file inline rows cannot carry (the CLI reads only JSON lines into rows). */
    public static boolean needsUpload(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        return name.endsWith(".csv") || name.endsWith(".parquet") || name.endsWith(".arrow");
    }
}
