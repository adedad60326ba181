package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.TrainRequest;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import dev.anneal.cli.embedded.EmbeddedGatewayTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The anneal commands against a real gRPC server on a local port, as a user would run them. */
class CliEndToEndTest {

    @TempDir
    Path dir;

    private ScriptedTrainService service;
    private Server server;
    private String target;
    private Path train;

    @BeforeEach
    void start() throws IOException {
        service = new ScriptedTrainService();
        server = NettyServerBuilder.forPort(0).addService(service).build().start();
        target = "localhost:" + server.getPort();
        train = Files.writeString(dir.resolve("train.jsonl"), "{\"text\":\"Dogs\",\"label\":0}\n{\"text\":\"cat\",\"label\":1}\n");
    }

    @AfterEach
    void stop() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    record Run(int code, String out, String err) {}

    static Run anneal(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int code = commandLine.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    private Run train(String base, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "--target", target, "--base", base,
                "--train", train.toString(), "--plain"));
        args.addAll(List.of(more));
        return anneal(args.toArray(String[]::new));
    }

    @Test
    void trainPrintsStagesProgressAndTheResultAndExitsZero() {
        Run run = train("bert", "--arg", "num_train_epochs=2", "--label", "team=nlp");

        assertEquals(0, run.code(), run.err());
        String out = run.out();
        assertTrue(out.startsWith("Job job-1 accepted\n"), out);
        assertTrue(out.contains("[ 1/14] VALIDATE started\n"), out);
        assertTrue(out.contains("[14/14] FINISH"), out);
        assertTrue(out.contains("step 2/4 epoch 1.00 loss 0.4000 lr 2.50e-05"), out);
        assertTrue(out.contains("evaluation at step 4 (epoch 2.00): eval_accuracy 1.0000  eval_loss 0.1250"), out);
        assertTrue(out.endsWith("Job job-1 SUCCEEDED\nModel: /store/models/job-1\nMetrics:\n"
                + "  eval_accuracy                1.0000\n  train_loss                   0.3000\n"), out);
        assertTrue(out.indexOf("VALIDATE") < out.indexOf("TOKENIZE") && out.indexOf("TOKENIZE") < out.indexOf("SAVE"));

        TrainRequest sent = service.received.get(0);
        assertEquals(2.0, sent.getArgs().getNumTrainEpochs());
        assertEquals("nlp", sent.getLabelsOrThrow("team"));
        assertEquals(2, sent.getTrain().getRows().getRowsCount());
    }

    @Test
    void aFailedJobExitsOneAndPrintsTheErrorWithItsStage() {
        Run run = train("fail");
        assertEquals(1, run.code());
        assertTrue(run.out().contains("Job job-1 FAILED\nError: INVALID_ARGUMENT: config.json: model_type 'gpt9'"
                + " is not supported in stage CREATE_MODEL\n"), run.out());
    }

    @Test
    void aCancelledJobExitsThree() {
        Run run = train("cancelled");
        assertEquals(3, run.code());
        assertTrue(run.out().endsWith("Job job-1 CANCELLED\n"), run.out());
    }

    @Test
    void aRefusedRequestExitsFourWithTheGatewaysReason() {
        Run run = train("invalid");
        assertEquals(4, run.code());
        assertEquals("error: INVALID_ARGUMENT: train.rows[3]: missing column 'label'\n", run.err());
    }

    @Test
    void watchReplaysTheRestAndJobsListsWhatRan() {
        train("bert");
        Run watch = anneal("watch", "job-1", "--after", "33", "--plain", "--target", target);
        assertEquals(0, watch.code(), watch.err());
        assertFalse(watch.out().contains("VALIDATE"), watch.out());
        assertTrue(watch.out().contains("[14/14] FINISH"), watch.out());
        assertTrue(watch.out().contains("Job job-1 SUCCEEDED"), watch.out());

        Run jobs = anneal("jobs", "--target", target);
        assertEquals(0, jobs.code(), jobs.err());
        String[] lines = jobs.out().split("\n");
        assertTrue(lines[0].startsWith("JOB    STATE      STAGE   STEP  CREATED"), jobs.out());
        assertTrue(lines[1].startsWith("job-1  SUCCEEDED  FINISH  4/4   "), jobs.out());
        assertTrue(lines[1].endsWith("  bert"), jobs.out());
    }

    @Test
    void unknownJobsAndEndedJobsAreReportedWithTheirStatus() {
        train("bert");
        Run watch = anneal("watch", "nope", "--target", target);
        assertEquals(4, watch.code());
        assertEquals("error: NOT_FOUND: job nope not found\n", watch.err());

        Run cancel = anneal("cancel", "job-1", "--target", target);
        assertEquals(4, cancel.code());
        assertEquals("error: FAILED_PRECONDITION: job job-1 has already ended (SUCCEEDED)\n", cancel.err());
    }

    @Test
    void embeddedStartsAGatewayRunsTheJobAndStopsIt() throws IOException {
        Path jar = EmbeddedGatewayTest.fakeGatewayJar(dir);
        Run run = anneal("train", "--embedded", "--gateway-jar", jar.toString(), "--base", "bert",
                "--train", train.toString(), "--plain");
        assertEquals(0, run.code(), run.err());
        assertTrue(run.err().startsWith("Starting the embedded gateway (" + jar + ", log "), run.err());
        assertTrue(run.err().contains("Embedded gateway serving on localhost:"), run.err());
        assertTrue(run.out().contains("Job job-1 SUCCEEDED"), run.out());
        String log = run.err().replaceAll("(?s).*, log (\\S+)\\) \\.\\.\\..*", "$1");
        assertFalse(Files.exists(Path.of(log)), "the log of a successful run is deleted");

        Run failed = anneal("train", "--embedded", "--gateway-jar", jar.toString(), "--base", "fail",
                "--train", train.toString(), "--plain");
        assertEquals(1, failed.code(), failed.err());
        String failedLog = failed.err().replaceAll("(?s).*Embedded gateway log: (\\S+)\n.*", "$1");
        assertTrue(Files.readString(Path.of(failedLog)).contains("fake gateway: stopping"), "stopped, log kept");
        Files.delete(Path.of(failedLog));
    }

    @Test
    void anUnreachableGatewaySaysHowToStartOne() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        Run run = train("bert");
        assertEquals(4, run.code());
        assertTrue(run.err().startsWith("error: UNAVAILABLE: "), run.err());
        assertTrue(run.err().contains("Is a gateway running at " + target + "?"), run.err());
        assertTrue(run.err().contains("--embedded"), run.err());
    }
}
