package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.cli.CliEndToEndTest.Run;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * anneal upload, anneal datasets and train's uploads (and its tokenization options) against a real gRPC server
 * on a local port.
 */
class UploadCommandTest {
    private static final String ID_1 = String.format("ds-%032x", 1);

    @TempDir
    Path dir;

    private ScriptedTrainService service;
    private Server server;
    private String target;
    private Path jsonl;

    @BeforeEach
    void start() throws IOException {
        service = new ScriptedTrainService();
        server = NettyServerBuilder.forPort(0).addService(service).build().start();
        target = "localhost:" + server.getPort();
        jsonl = Files.writeString(dir.resolve("train.jsonl"), "{\"text\":\"Dogs\",\"label\":0}\n{\"text\":\"cat\",\"label\":1}\n");
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static Run anneal(String... args) {
        return CliEndToEndTest.anneal(args);
    }

    @Test
    void uploadSendsTheFileWithItsSizeAndDigestAndPrintsTheId() throws Exception {
        Run run = anneal("upload", jsonl.toString(), "--label", "team=nlp", "--target", target);
        assertEquals(0, run.code(), run.err());
        assertEquals(ID_1 + "\n", run.out(), "the id alone on stdout, for scripts");
        assertTrue(run.err().startsWith("Uploaded " + jsonl + " as " + ID_1 + " ("), run.err());

        byte[] bytes = Files.readAllBytes(jsonl);
        UploadMetadata metadata = service.uploadedMetadata.get(ID_1);
        assertEquals("train.jsonl", metadata.getFilename());
        assertEquals(bytes.length, metadata.getSizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), metadata.getSha256());
        assertEquals(DatasetFormat.DATASET_FORMAT_UNSPECIFIED, metadata.getFormat(), "the gateway goes by the name");
        assertEquals("nlp", metadata.getLabelsOrThrow("team"));
        assertArrayEquals(bytes, service.uploadedBytes.get(ID_1));

        Run list = anneal("datasets", "--target", target);
        assertEquals(0, list.code(), list.err());
        String[] lines = list.out().split("\n");
        assertTrue(lines[0].startsWith("ID  ") && lines[0].endsWith("FILE"), list.out());
        assertTrue(lines[1].startsWith(ID_1 + "  ") && lines[1].endsWith("train.jsonl"), list.out());

        Run delete = anneal("datasets", "--delete", ID_1, "--target", target);
        assertEquals(0, delete.code(), delete.err());
        assertTrue(delete.out().startsWith("Deleted " + ID_1), delete.out());
        Run again = anneal("datasets", "--delete", ID_1, "--target", target);
        assertEquals(4, again.code());
        assertTrue(again.err().startsWith("error: NOT_FOUND: dataset_id: no data set"), again.err());
    }

    @Test
    void anExplicitFormatIsSentAndAnUnknownOneIsAUsageError() {
        Run run = anneal("upload", jsonl.toString(), "--format", "csv", "--target", target);
        assertEquals(0, run.code(), run.err());
        assertEquals(DatasetFormat.CSV, service.uploadedMetadata.get(ID_1).getFormat());

        Run unknown = anneal("upload", jsonl.toString(), "--format", "xml", "--target", target);
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().startsWith("error: --format xml: unknown format; one of jsonl, csv, parquet, arrow"),
                unknown.err());
        Run missing = anneal("upload", dir.resolve("nope.jsonl").toString(), "--target", target);
        assertEquals(2, missing.code());
    }

    @Test
    void trainUploadsFilesInlineRowsCannotCarryAndSendsTheirIds() throws IOException {
        Path csv = Files.writeString(dir.resolve("train.csv"), "text,label\nDogs,0\ncat,1\n");
        Run run = anneal("train", "--target", target, "--base", "bert", "--train", csv.toString(), "--validation",
                jsonl.toString(), "--plain");
        assertEquals(0, run.code(), run.err());
        TrainRequest sent = service.received.get(0);
        assertEquals(ID_1, sent.getTrain().getDatasetId(), "the .csv file was uploaded");
        assertEquals(2, sent.getValidation().getRows().getRowsCount(), "JSON lines still go inline by default");
        assertTrue(run.err().contains("Uploading " + csv.toAbsolutePath().normalize()), run.err());
    }

    @Test
    void trainWithUploadUploadsEveryFile() {
        Run run = anneal("train", "--target", target, "--base", "bert", "--train", jsonl.toString(), "--validation",
                jsonl.toString(), "--upload", "--plain");
        assertEquals(0, run.code(), run.err());
        TrainRequest sent = service.received.get(0);
        assertEquals(ID_1, sent.getTrain().getDatasetId());
        assertEquals(String.format("ds-%032x", 2), sent.getValidation().getDatasetId());
    }

    @Test
    void trainOnAStoredDataSetById() {
        Run run = anneal("train", "--target", target, "--base", "bert", "--train", ID_1, "--plain");
        assertEquals(0, run.code(), run.err());
        assertEquals(ID_1, service.received.get(0).getTrain().getDatasetId());
        assertTrue(service.uploadedBytes.isEmpty(), "nothing uploaded");

        Run both = anneal("train", "--target", target, "--base", "bert", "--train", jsonl.toString(), "--upload",
                "--by-reference");
        assertEquals(2, both.code());
        assertFalse(both.err().isEmpty());
    }

    @Test
    void tokenizationOptionsReachTheRequest() {
        Run run = anneal("train", "--target", target, "--base", "bert", "--train", jsonl.toString(), "--tokenizers",
                "-1", "--tokenizebatch", "64", "--plain");
        assertEquals(0, run.code(), run.err());
        assertEquals(-1, service.received.get(0).getTokenizers());
        assertEquals(64, service.received.get(0).getTokenizebatch());

        Run negative = anneal("train", "--target", target, "--base", "bert", "--train", jsonl.toString(),
                "--tokenizebatch", "-3");
        assertEquals(2, negative.code());
        assertTrue(negative.err().startsWith("error: --tokenizebatch must be >= 0 (0 means 1000), got -3"), negative.err());
    }
}
