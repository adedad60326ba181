package dev.anneal.worker.data;

import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where uploaded data sets live on a data volume, shared by the gateway that writes them and the worker
 * that reads them: {@code <datasets root>/<dataset id>/} holds the bytes as {@code data.<extension>} and
 * their description ({@link DatasetInfo}) as {@code info.pb}. A data set's directory appears whole (the
 * gateway renames a finished temporary directory into place), so a directory with {@code info.pb} is complete.
 */
public final class UploadedDatasets {
    public static final String INFO_FILE = "info.pb";
    /** Ids the gateway hands out; anything else (path separators, "..") never names a directory. */
    private static final Pattern ID = Pattern.compile("ds-[0-9a-f]{32}");

    private UploadedDatasets() {
    }

    public static boolean isValidId(String id) {
        return ID.matcher(id).matches();
    }

    /** The data file's name for a format: the extension the readers recognise. */
    public static String dataFileName(DatasetFormat format) {
        return switch (format) {
            case JSON_LINES -> "data.jsonl";
            case CSV -> "data.csv";
            case PARQUET -> "data.parquet";
            case ARROW -> "data.arrow";
            case DATASET_FORMAT_UNSPECIFIED, UNRECOGNIZED -> throw new IllegalArgumentException(
                    "no data file name for format " + format);
        };
    }

    public static Path directory(Path datasetsRoot, String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("not a data set id: '" + id + "'");
        }
        return datasetsRoot.resolve(id);
    }

    /** The description of a stored data set, or null when there is none with this id. */
    public static DatasetInfo readInfo(Path datasetsRoot, String id) throws IOException {
        if (!isValidId(id)) {
            return null;
        }
        try (InputStream in = Files.newInputStream(directory(datasetsRoot, id).resolve(INFO_FILE))) {
            return DatasetInfo.parseFrom(in);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /**
     * The data file of an uploaded data set, for a run.
     *
     * @param field the request field naming it ("train.dataset_id"), for errors
     * @throws RunFailure NOT_FOUND when the volume holds no such data set, INVALID_ARGUMENT for a malformed id
     */
    public static Path dataFile(Path datasetsRoot, String id, String field) {
        if (!isValidId(id)) {
            throw RunFailure.invalidArgument(field, "'" + id + "' is not a data set id (UploadDataset returns one)");
        }
        if (datasetsRoot == null) {
            throw RunFailure.invalidArgument(field, "this run has no directory of uploaded data sets");
        }
        DatasetInfo info;
        try {
            info = readInfo(datasetsRoot, id);
        } catch (IOException e) {
            throw new RunFailure(Status.Code.INTERNAL, field + ": cannot read data set " + id + ": " + e, e);
        }
        if (info == null) {
            throw new RunFailure(Status.Code.NOT_FOUND, field + ": no uploaded data set '" + id + "' in "
                    + datasetsRoot);
        }
        return directory(datasetsRoot, id).resolve(dataFileName(info.getFormat()));
    }
}
