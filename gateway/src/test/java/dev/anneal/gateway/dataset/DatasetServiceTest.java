package dev.anneal.gateway.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.ListDatasetsResponse;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.gateway.FirstAnswer;
import dev.anneal.gateway.job.JobObserver;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data set store and service without a server: leftovers, deletion rules, row counting. */
class DatasetServiceTest {
    @TempDir
    Path dataDir;

    /** Stores one data set through the same receiver the gRPC service uses. */
    private static DatasetInfo upload(DatasetService service, String filename, String content) throws Exception {
        FirstAnswer<DatasetInfo> answer = new FirstAnswer<>();
        StreamObserver<UploadDatasetRequest> requests = service.receive(answer);
        requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(UploadMetadata.newBuilder()
                .setFilename(filename)).build());
        requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFromUtf8(content)).build());
        requests.onCompleted();
        return answer.get(1, TimeUnit.SECONDS);
    }

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void openingTheStoreRemovesWhatInterruptedUploadsAndDeletionsLeft() throws Exception {
        Path root = dataDir.resolve("datasets");
        Files.createDirectories(root.resolve(".upload-123").resolve("sub"));
        Files.writeString(root.resolve(".upload-123").resolve("data.jsonl"), "{}");
        Files.createDirectories(root.resolve(".deleted-ds-1-abc"));
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC())) {
            DatasetService service = DatasetService.beside(jobs, 1 << 20, Clock.systemUTC());
            DatasetInfo kept = upload(service, "a.jsonl", "{\"text\": \"x\"}\n");
            assertEquals(List.of(kept.getDatasetId()), entries(root));
            Files.createDirectories(root.resolve(".upload-456"));
            DatasetService.beside(jobs, 1 << 20, Clock.systemUTC());
            assertEquals(List.of(kept.getDatasetId()), entries(root), "stored data sets stay, leftovers go");
        }
    }

    @Test
    void aDataSetAnUnfinishedJobUsesCannotBeDeleted() throws Exception {
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC())) {
            DatasetService service = DatasetService.beside(jobs, 1 << 20, Clock.systemUTC());
            DatasetInfo info = upload(service, "rows.jsonl", "{\"text\": \"x\", \"label\": 0}\n");
            JobRecord job = jobs.create(TrainRequest.newBuilder().setBase("b")
                    .setTrain(Dataset.newBuilder().setDatasetId(info.getDatasetId())).build()).job();

            StatusRuntimeException used = assertThrows(StatusRuntimeException.class,
                    () -> service.delete(info.getDatasetId()));
            assertEquals(Status.Code.FAILED_PRECONDITION, used.getStatus().getCode());
            assertEquals("dataset_id: data set " + info.getDatasetId() + " is used by job " + job.id()
                    + ", which has not ended; cancel it or wait", used.getStatus().getDescription());

            assertTrue(job.cancelIfQueued());
            assertEquals(info, service.delete(info.getDatasetId()));
            assertFalse(Files.exists(dataDir.resolve("datasets").resolve(info.getDatasetId())));
        }
    }

    @Test
    void listsNewestFirstFilteredByLabels() throws Exception {
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC())) {
            ManualClock clock = new ManualClock();
            DatasetService service = DatasetService.beside(jobs, 1 << 20, clock);
            DatasetInfo first = upload(service, "a.csv", "text\nx\n");
            clock.now = clock.now.plusSeconds(1);
            DatasetInfo second = upload(service, "b.csv", "text\ny\n");
            assertEquals(List.of(second, first), service.list(0, Map.of(), "").getDatasetsList());
            assertEquals(List.of(second), service.list(1, Map.of(), "").getDatasetsList());
            assertEquals(List.of(), service.list(0, Map.of("team", "x"), "").getDatasetsList());
        }
    }

    @Test
    void pagesContinueAfterTheLastDataSetEvenWhenItIsDeleted() throws Exception {
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC())) {
            ManualClock clock = new ManualClock();
            DatasetService service = DatasetService.beside(jobs, 1 << 20, clock);
            DatasetInfo first = upload(service, "a.csv", "text\nx\n");
            DatasetInfo second = upload(service, "b.csv", "text\ny\n");
            clock.now = clock.now.plusSeconds(1);
            DatasetInfo third = upload(service, "c.csv", "text\nz\n");
            List<DatasetInfo> all = service.list(0, Map.of(), "").getDatasetsList();
            assertEquals(third, all.get(0));
            assertEquals(Set.of(first, second), Set.copyOf(all.subList(1, 3)), "same second: the id orders them");

            ListDatasetsResponse page = service.list(2, Map.of(), "");
            assertEquals(all.subList(0, 2), page.getDatasetsList());
            service.delete(all.get(1).getDatasetId());
            ListDatasetsResponse next = service.list(2, Map.of(), page.getNextPageToken());
            assertEquals(all.subList(2, 3), next.getDatasetsList());
            assertEquals("", next.getNextPageToken());
            assertEquals("", service.list(3, Map.of(), "").getNextPageToken(), "no token when the page holds the rest");

            StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
                    () -> service.list(2, Map.of(), "not-a-token"));
            assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
            assertTrue(bad.getStatus().getDescription().startsWith("page_token:"), bad.getStatus().getDescription());
        }
    }

    @Test
    void jsonLinesRowsAreCountedAcrossChunkBoundaries() {
        byte[] bytes = "{\"a\": 1}\n\n  \t\r\n{\"a\": 2}\r\n{\"a\": 3}".getBytes(StandardCharsets.UTF_8);
        JsonLinesCounter whole = new JsonLinesCounter();
        whole.accept(bytes, 0, bytes.length);
        assertEquals(3, whole.rows(), "blank and whitespace-only lines are no rows; the last needs no newline");
        JsonLinesCounter byteByByte = new JsonLinesCounter();
        for (int i = 0; i < bytes.length; i++) {
            byteByByte.accept(bytes, i, 1);
        }
        assertEquals(3, byteByByte.rows());
    }

    /** A server call that counts the messages the receiver asks for. */
    private static final class CountingCall extends ServerCallStreamObserver<DatasetInfo> {
        int requested;
        boolean autoRequestDisabled;
        final FirstAnswer<DatasetInfo> answer = new FirstAnswer<>();

        @Override
        public void disableAutoRequest() {
            autoRequestDisabled = true;
        }

        @Override
        public void request(int count) {
            requested += count;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public void setOnCancelHandler(Runnable onCancelHandler) {
        }

        @Override
        public void setCompression(String compression) {
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setOnReadyHandler(Runnable onReadyHandler) {
        }

        @Override
        public void disableAutoInboundFlowControl() {
            disableAutoRequest();
        }

        @Override
        public void setMessageCompression(boolean enable) {
        }

        @Override
        public void onNext(DatasetInfo value) {
            answer.onNext(value);
        }

        @Override
        public void onError(Throwable t) {
            answer.onError(t);
        }

        @Override
        public void onCompleted() {
        }
    }

    @Test
    void theReceiverAsksForOneMessageAtATimeAfterTheLastIsWritten() throws Exception {
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC())) {
            DatasetService service = DatasetService.beside(jobs, 1 << 20, Clock.systemUTC());
            CountingCall call = new CountingCall();
            StreamObserver<UploadDatasetRequest> requests = service.receive(call);
            assertTrue(call.autoRequestDisabled);
            assertEquals(1, call.requested, "the metadata");
            requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(UploadMetadata.newBuilder()
                    .setFilename("a.jsonl")).build());
            assertEquals(2, call.requested);
            for (int i = 0; i < 5; i++) {
                requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFromUtf8("{}\n")).build());
                assertEquals(3 + i, call.requested, "one more after chunk " + i);
            }
            requests.onCompleted();
            assertEquals(5, call.answer.get(1, TimeUnit.SECONDS).getRowCount());
        }
    }

    /** A clock tests move by hand. */
    private static final class ManualClock extends Clock {
        volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void anUploadIdleForLongerThanTheTimeoutIsDroppedWithItsBytes() throws Exception {
        ManualClock clock = new ManualClock();
        try (JobStore jobs = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC());
                DatasetService service = DatasetService.beside(jobs, 1 << 20, java.time.Duration.ofMinutes(1), clock)) {
            Path root = dataDir.resolve("datasets");
            FirstAnswer<DatasetInfo> stalled = new FirstAnswer<>();
            StreamObserver<UploadDatasetRequest> requests = service.receive(stalled);
            requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(UploadMetadata.newBuilder()
                    .setFilename("slow.jsonl")).build());
            requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFromUtf8("{}\n")).build());
            assertEquals(1, entries(root).size(), "the unfinished upload's directory");

            clock.now = clock.now.plusSeconds(50);
            service.expireIdleUploads();
            assertFalse(stalled.isDone(), "50 s idle is within the minute");
            requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFromUtf8("{}\n")).build());
            clock.now = clock.now.plusSeconds(50);
            service.expireIdleUploads();
            assertFalse(stalled.isDone(), "the chunk 50 s ago counts as activity");

            clock.now = clock.now.plusSeconds(11);
            service.expireIdleUploads();
            StatusRuntimeException dropped = assertThrows(StatusRuntimeException.class,
                    () -> stalled.get(1, TimeUnit.SECONDS));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, dropped.getStatus().getCode());
            assertEquals("chunk: nothing received for more than PT1M (anneal.datasets.idle-timeout); the upload was "
                    + "dropped", dropped.getStatus().getDescription());
            assertEquals(List.of(), entries(root), "nothing left on the volume");
            requests.onCompleted();
            assertEquals(List.of(), entries(root), "a late half-close stores nothing");
        }
    }
}
