package dev.anneal.api.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.UploadMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** AnnealClient.uploadDataset against an in-process server that keeps what it receives. */
class DatasetUploaderTest {
    @TempDir
    Path dir;

    private final ReceivingService service = new ReceivingService();
    private Server server;
    private ManagedChannel channel;
    private AnnealClient client;

    /** Answers with the received size; refuses a file named "refuse.csv" after reading it. */
    private static final class ReceivingService extends TrainServiceGrpc.TrainServiceImplBase {
        volatile UploadMetadata metadata;
        volatile int messages;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public StreamObserver<UploadDatasetRequest> uploadDataset(StreamObserver<DatasetInfo> responses) {
            return new StreamObserver<>() {
                @Override
                public void onNext(UploadDatasetRequest request) {
                    messages++;
                    if (request.hasMetadata()) {
                        metadata = request.getMetadata();
                    } else {
                        bytes.writeBytes(request.getChunk().toByteArray());
                    }
                }

                @Override
                public void onError(Throwable t) {
                }

                @Override
                public void onCompleted() {
                    if (metadata.getFilename().equals("refuse.csv")) {
                        responses.onError(Status.INVALID_ARGUMENT.withDescription("metadata.sha256: mismatch")
                                .asRuntimeException());
                        return;
                    }
                    responses.onNext(DatasetInfo.newBuilder().setDatasetId("ds-1").setSizeBytes(bytes.size()).build());
                    responses.onCompleted();
                }
            };
        }
    }

    @BeforeEach
    void start() throws Exception {
        String name = InProcessServerBuilder.generateName();
        server = InProcessServerBuilder.forName(name).addService(service).build().start();
        channel = InProcessChannelBuilder.forName(name).build();
        client = AnnealClient.builder().setChannel(channel).optUploadChunkBytes(64 * 1024).build();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    @Test
    void sendsMetadataWithSizeAndDigestThenTheBytesInChunks() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(7).nextBytes(content);
        Path file = Files.write(dir.resolve("rows.parquet"), content);

        DatasetInfo info = client.uploadDataset(file, DatasetFormat.PARQUET, Map.of("team", "nlp"));

        assertEquals("ds-1", info.getDatasetId());
        assertArrayEquals(content, service.bytes.toByteArray());
        assertEquals(content.length, service.metadata.getSizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)),
                service.metadata.getSha256());
        assertEquals(DatasetFormat.PARQUET, service.metadata.getFormat());
        assertEquals("rows.parquet", service.metadata.getFilename());
        assertEquals("nlp", service.metadata.getLabelsOrThrow("team"));
        assertEquals(1 + 49, service.messages, "metadata, then 48 full chunks of 64 KiB and one of 17 bytes");
    }

    @Test
    void aRefusalIsAnAnnealExceptionWithTheGatewaysCode() throws Exception {
        Path file = Files.writeString(dir.resolve("refuse.csv"), "text,label\n");
        AnnealException e = assertThrows(AnnealException.class, () -> client.uploadDataset(file));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.code());
        assertEquals("metadata.sha256: mismatch", e.getMessage());
    }

    @Test
    void aMissingFileFailsBeforeAnythingIsSent() {
        assertThrows(UncheckedIOException.class, () -> client.uploadDataset(dir.resolve("missing.jsonl")));
        assertNull(service.metadata);
    }
}
