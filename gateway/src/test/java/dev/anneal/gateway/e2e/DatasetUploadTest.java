package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.client.AnnealException;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.DeleteDatasetRequest;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.GetDatasetRequest;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListDatasetsRequest;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.FirstAnswer;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/**
 * UploadDataset over a real gRPC channel: a JSON-lines file sent in chunks is stored whole, verified and
 * trained on by id; refused or cancelled uploads leave nothing on the data volume. The test profile limits
 * uploads to 1 MiB (anneal.datasets.max-size).
 */
@QuarkusTest
class DatasetUploadTest extends GatewayTest {
    private static final long LIMIT = 1 << 20;

    /** txtai's basic rows [Dogs/0, dog/0, Cats/1, cat/1] * times as JSON lines, with a blank line at the end. */
    private static byte[] txtaiJsonLines(int times) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < times; i++) {
            lines.append("{\"text\": \"Dogs\", \"label\": 0}\n{\"text\": \"dog\", \"label\": 0}\n")
                    .append("{\"text\": \"Cats\", \"label\": 1}\n{\"text\": \"cat\", \"label\": 1}\n");
        }
        return lines.append("\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Path datasetsDir() {
        return Path.of(ConfigProvider.getConfig().getValue("anneal.data-dir", String.class)).toAbsolutePath()
                .resolve("datasets");
    }

    /** Every entry of the data set store, hidden ones (unfinished uploads) included. */
    private static Set<String> storeEntries() throws IOException {
        if (!Files.isDirectory(datasetsDir())) {
            return Set.of();
        }
        try (Stream<Path> entries = Files.list(datasetsDir())) {
            return entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Sends metadata, then {@code data} in chunks of {@code chunkBytes}, then half-closes; returns the answer. */
    private static DatasetInfo upload(UploadMetadata metadata, byte[] data, int chunkBytes) throws Exception {
        FirstAnswer<DatasetInfo> answer = new FirstAnswer<>();
        StreamObserver<UploadDatasetRequest> requests = gateway.async.withDeadlineAfter(1, TimeUnit.MINUTES)
                .uploadDataset(answer);
        requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(metadata).build());
        for (int from = 0; from < data.length && !answer.isDone(); from += chunkBytes) {
            requests.onNext(UploadDatasetRequest.newBuilder()
                    .setChunk(ByteString.copyFrom(data, from, Math.min(chunkBytes, data.length - from))).build());
        }
        requests.onCompleted();
        return answer.get(1, TimeUnit.MINUTES);
    }

    private static StatusRuntimeException refused(UploadMetadata metadata, byte[] data, int chunkBytes) {
        return assertThrows(StatusRuntimeException.class, () -> upload(metadata, data, chunkBytes));
    }

    @Test
    void jsonLinesUploadedInChunksTrainsByIdToSucceeded() throws Exception {
        byte[] data = txtaiJsonLines(25);
        UploadMetadata metadata = UploadMetadata.newBuilder().setFilename("animals.jsonl")
                .setSizeBytes(data.length).setSha256(sha256(data)).putLabels("team", "pets").build();
        DatasetInfo info = upload(metadata, data, 97);

        assertTrue(info.getDatasetId().matches("ds-[0-9a-f]{32}"), info.getDatasetId());
        assertEquals(DatasetFormat.JSON_LINES, info.getFormat(), "from the .jsonl extension");
        assertEquals(data.length, info.getSizeBytes());
        assertEquals(sha256(data), info.getSha256());
        assertEquals(100, info.getRowCount(), "non-blank lines");
        assertEquals("animals.jsonl", info.getFilename());
        assertEquals("pets", info.getLabelsOrThrow("team"));
        Path stored = datasetsDir().resolve(info.getDatasetId()).resolve("data.jsonl");
        assertEquals(data.length, Files.size(stored));
        assertEquals(sha256(data), sha256(Files.readAllBytes(stored)), "stored byte for byte");
        assertEquals(info, gateway.blocking.getDataset(GetDatasetRequest.newBuilder()
                .setDatasetId(info.getDatasetId()).build()));
        assertTrue(gateway.blocking.listDatasets(ListDatasetsRequest.newBuilder().putLabelSelector("team", "pets")
                .build()).getDatasetsList().contains(info));

        TrainRequest.Builder request = TrainRequests.txtaiBasic().setTokenizebatch(7)
                .setTrain(Dataset.newBuilder().setDatasetId(info.getDatasetId()))
                .setValidation(Dataset.newBuilder().setDatasetId(info.getDatasetId())).addMetrics("accuracy");
        List<TrainEvent> events = Events.readAll(gateway.blocking.withDeadlineAfter(5, TimeUnit.MINUTES)
                .train(request.build()));
        Finished finished = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.SUCCEEDED, finished.getState(), finished.toString());
        assertEquals(1.0, finished.getMetricsOrThrow("eval_accuracy"), 1e-9, "Dogs/dog are 0, Cats/cat are 1");
        assertEquals(info.getDatasetId(), events.get(0).getAccepted().getRequest().getTrain().getDatasetId(),
                "the job keeps the id it was given");

        DatasetInfo deleted = gateway.blocking.deleteDataset(DeleteDatasetRequest.newBuilder()
                .setDatasetId(info.getDatasetId()).build());
        assertEquals(info, deleted);
        assertFalse(Files.exists(stored.getParent()));
        StatusRuntimeException gone = assertThrows(StatusRuntimeException.class, () -> gateway.blocking
                .getDataset(GetDatasetRequest.newBuilder().setDatasetId(info.getDatasetId()).build()));
        assertEquals(Status.Code.NOT_FOUND, gone.getStatus().getCode());
    }

    @Test
    void annealClientUploadsAFileWithItsDigest() throws Exception {
        Path file = Files.createTempFile("animals", ".csv");
        try {
            Files.writeString(file, "text,label\nDogs,0\ncat,1\n");
            AnnealClient client = AnnealClient.builder().setChannel(gateway.channel).optUploadChunkBytes(5).build();
            DatasetInfo info = client.uploadDataset(file);
            assertEquals(DatasetFormat.CSV, info.getFormat());
            assertEquals(Files.size(file), info.getSizeBytes());
            assertFalse(info.hasRowCount(), "rows are counted for JSON lines only");
            assertEquals(info, client.getDataset(info.getDatasetId()));
            assertEquals(info, client.deleteDataset(info.getDatasetId()));
            AnnealException unknown = assertThrows(AnnealException.class, () -> client.getDataset(info.getDatasetId()));
            assertEquals(Status.Code.NOT_FOUND, unknown.code());
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void digestMismatchIsRefusedAndLeavesNothing() throws Exception {
        Set<String> before = storeEntries();
        byte[] data = txtaiJsonLines(3);
        StatusRuntimeException e = refused(UploadMetadata.newBuilder().setFilename("a.jsonl")
                .setSha256(sha256("something else".getBytes(StandardCharsets.UTF_8))).build(), data, 10);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("metadata.sha256: declared "), e.getMessage());
        assertEquals(before, storeEntries());

        StatusRuntimeException size = refused(UploadMetadata.newBuilder().setFilename("a.jsonl")
                .setSizeBytes(data.length + 1).build(), data, 10);
        assertEquals(Status.Code.INVALID_ARGUMENT, size.getStatus().getCode());
        assertEquals("metadata.size_bytes: declared " + (data.length + 1) + " bytes, received " + data.length,
                size.getStatus().getDescription());
        assertEquals(before, storeEntries());
    }

    @Test
    void oversizeIsRefusedDeclaredOrNot() throws Exception {
        Set<String> before = storeEntries();
        StatusRuntimeException declared = refused(UploadMetadata.newBuilder().setFilename("big.jsonl")
                .setSizeBytes(LIMIT + 1).build(), new byte[0], 1);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, declared.getStatus().getCode());
        assertEquals("metadata.size_bytes: " + (LIMIT + 1) + " bytes exceed the gateway's limit of " + LIMIT
                + " bytes per data set", declared.getStatus().getDescription());

        byte[] big = new byte[(int) LIMIT + 100];
        java.util.Arrays.fill(big, (byte) ' ');
        StatusRuntimeException streamed = refused(UploadMetadata.newBuilder().setFilename("big.jsonl").build(), big,
                64 * 1024);
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, streamed.getStatus().getCode());
        assertTrue(streamed.getStatus().getDescription().startsWith("chunk: the upload exceeds the gateway's limit"),
                streamed.getMessage());
        assertEquals(before, storeEntries());
    }

    @Test
    void malformedStreamsAreRefusedNamingTheProblem() throws Exception {
        Set<String> before = storeEntries();
        FirstAnswer<DatasetInfo> answer = new FirstAnswer<>();
        StreamObserver<UploadDatasetRequest> requests = gateway.async.uploadDataset(answer);
        requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFromUtf8("{}")).build());
        requests.onCompleted();
        StatusRuntimeException chunkFirst = assertThrows(StatusRuntimeException.class,
                () -> answer.get(1, TimeUnit.MINUTES));
        assertEquals(Status.Code.INVALID_ARGUMENT, chunkFirst.getStatus().getCode());
        assertEquals("metadata: the first message must carry metadata, got a chunk",
                chunkFirst.getStatus().getDescription());

        StatusRuntimeException noFormat = refused(UploadMetadata.newBuilder().setFilename("rows.txt").build(),
                new byte[] {'x'}, 1);
        assertEquals(Status.Code.INVALID_ARGUMENT, noFormat.getStatus().getCode());
        assertTrue(noFormat.getStatus().getDescription().startsWith("metadata.format: "), noFormat.getMessage());

        StatusRuntimeException notParquet = refused(UploadMetadata.newBuilder().setFilename("rows.parquet").build(),
                txtaiJsonLines(1), 16);
        assertEquals("metadata.format: PARQUET, but the bytes do not start and end with the Parquet marker PAR1",
                notParquet.getStatus().getDescription());

        StatusRuntimeException empty = refused(UploadMetadata.newBuilder().setFormat(DatasetFormat.CSV).build(),
                new byte[0], 1);
        assertEquals("chunk: the upload has no bytes", empty.getStatus().getDescription());
        assertEquals(before, storeEntries());
    }

    @Test
    void clientCancelMidUploadLeavesNothing() throws Exception {
        Set<String> before = storeEntries();
        FirstAnswer<DatasetInfo> answer = new FirstAnswer<>();
        StreamObserver<UploadDatasetRequest> requests = gateway.async.uploadDataset(answer);
        requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(UploadMetadata.newBuilder()
                .setFilename("partial.jsonl")).build());
        byte[] data = txtaiJsonLines(50);
        requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFrom(data)).build());
        // The gateway has begun the upload once its temporary directory exists; then the client goes away.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (storeEntries().stream().noneMatch(name -> name.startsWith(".upload-")) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(storeEntries().stream().anyMatch(name -> name.startsWith(".upload-")), "upload started");
        requests.onError(Status.CANCELLED.withDescription("client gave up").asRuntimeException());

        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!storeEntries().equals(before) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(before, storeEntries(), "the cancelled upload's temporary directory is gone");
        assertEquals(Status.Code.CANCELLED, assertThrows(StatusRuntimeException.class,
                () -> answer.get(10, TimeUnit.SECONDS)).getStatus().getCode());
    }

    /** Train refused before any event: the call's status. */
    private static StatusRuntimeException refusedTrain(TrainRequest request) {
        return assertThrows(StatusRuntimeException.class,
                () -> Events.readAll(gateway.blocking.withDeadlineAfter(1, TimeUnit.MINUTES).train(request)));
    }

    @Test
    void unknownDatasetIdIsNotFoundAtTrainTime() {
        TrainRequest unknown = TrainRequests.txtaiBasic().setValidation(Dataset.newBuilder()
                .setDatasetId("ds-00000000000000000000000000000000")).build();
        StatusRuntimeException e = refusedTrain(unknown);
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("validation.dataset_id: no data set \"ds-00000000000000000000000000000000\"; upload one with "
                + "UploadDataset", e.getStatus().getDescription());

        TrainRequest malformed = TrainRequests.txtaiBasic().setTrain(Dataset.newBuilder().setDatasetId("../jobs"))
                .build();
        StatusRuntimeException bad = refusedTrain(malformed);
        assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
        assertTrue(bad.getStatus().getDescription().startsWith("train.dataset_id: '../jobs' is not a data set id"),
                bad.getMessage());
    }

    @Test
    void tokenizebatchBelowZeroIsRefusedNamingTheField() {
        TrainRequest request = TrainRequests.txtaiBasic().setTokenizebatch(-2).build();
        StatusRuntimeException e = refusedTrain(request);
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals("tokenizebatch: must be >= 0 (0 means 1000), got -2", e.getStatus().getDescription());
    }

    @Test
    void deletingUnknownOrEmptyIdsIsRefused() {
        StatusRuntimeException unknown = assertThrows(StatusRuntimeException.class, () -> gateway.blocking
                .deleteDataset(DeleteDatasetRequest.newBuilder().setDatasetId("ds-11111111111111111111111111111111")
                        .build()));
        assertEquals(Status.Code.NOT_FOUND, unknown.getStatus().getCode());
        StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> gateway.blocking
                .deleteDataset(DeleteDatasetRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
        assertEquals("dataset_id: is required", empty.getStatus().getDescription());
    }
}
