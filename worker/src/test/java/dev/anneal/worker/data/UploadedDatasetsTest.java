package dev.anneal.worker.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run reads an uploaded data set by its id from the data volume's datasets/ directory. */
class UploadedDatasetsTest {
    private static final String ID = "ds-0123456789abcdef0123456789abcdef";

    @TempDir
    Path dataVolume;

    private Path store(DatasetFormat format, String content) throws IOException {
        Path dir = Files.createDirectories(dataVolume.resolve("datasets").resolve(ID));
        Files.writeString(dir.resolve(UploadedDatasets.dataFileName(format)), content);
        Files.write(dir.resolve(UploadedDatasets.INFO_FILE), DatasetInfo.newBuilder().setDatasetId(ID)
                .setFormat(format).build().toByteArray());
        return dataVolume.resolve("datasets");
    }

    private static List<Map<String, Object>> read(RowSource source) {
        List<Map<String, Object>> rows = new ArrayList<>();
        try (RowSource.RowCursor cursor = source.open()) {
            cursor.forEachRemaining(rows::add);
        }
        return rows;
    }

    private static Dataset byId(String id) {
        return Dataset.newBuilder().setDatasetId(id).build();
    }

    @Test
    void runsOnTheGatewaysVolumeFindDataSetsBesideTheJobs() {
        // As a worker pod builds it from its JobSpec: the volume at /data, jobs_root "jobs".
        RunEnvironment pod = new RunEnvironment(Path.of("/data/jobs/job-1"), Path.of("/data/jobs"), null);
        assertEquals(Path.of("/data/datasets"), pod.datasetsRoot());
    }

    @Test
    void readsTheStoredFileWithTheReaderOfItsFormat() throws IOException {
        Path root = store(DatasetFormat.JSON_LINES, "{\"text\": \"Dogs\", \"label\": 0}\n\n{\"text\": \"cat\", \"label\": 1}\n");
        List<Map<String, Object>> rows = read(RowSources.of("train", byId(ID), root));
        assertEquals(2, rows.size(), "the blank line is no row: " + rows);
        assertEquals(List.of("Dogs", "cat"), rows.stream().map(row -> row.get("text")).toList());
        assertEquals(List.of(0L, 1L), rows.stream().map(row -> ((Number) row.get("label")).longValue()).toList());
    }

    @Test
    void csvDataSetsAreReadAsCsv() throws IOException {
        Path root = store(DatasetFormat.CSV, "text,label\nDogs,0\n");
        assertEquals(1, read(RowSources.of("validation", byId(ID), root)).size());
    }

    @Test
    void anUnknownIdIsNotFoundAndAMalformedOneAnInvalidArgument() throws IOException {
        Path root = store(DatasetFormat.JSON_LINES, "{}\n");
        RunFailure unknown = assertThrows(RunFailure.class,
                () -> RowSources.of("train", byId("ds-ffffffffffffffffffffffffffffffff"), root));
        assertEquals(Status.Code.NOT_FOUND, unknown.code());
        assertEquals("train.dataset_id: no uploaded data set 'ds-ffffffffffffffffffffffffffffffff' in " + root,
                unknown.getMessage());

        RunFailure malformed = assertThrows(RunFailure.class, () -> RowSources.of("train", byId("../jobs"), root));
        assertEquals(Status.Code.INVALID_ARGUMENT, malformed.code());
        assertEquals("train.dataset_id: '../jobs' is not a data set id (UploadDataset returns one)",
                malformed.getMessage());

        RunFailure noStore = assertThrows(RunFailure.class, () -> RowSources.of("train", byId(ID)));
        assertEquals("train.dataset_id: this run has no directory of uploaded data sets", noStore.getMessage());
    }
}
