package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** How {@code anneal train}'s options become a TrainRequest, and how bad options are refused. */
class TrainCommandTest {

    @TempDir
    Path dir;

    private Path train;
    private Path validation;
    private Path model;

    @BeforeEach
    void files() throws IOException {
        train = Files.writeString(dir.resolve("train.jsonl"),
                "{\"text\":\"Dogs\",\"label\":0}\n{\"text\":\"Cats\",\"label\":1}\n{\"text\":\"cat\",\"label\":1}\n");
        validation = Files.writeString(dir.resolve("validation.jsonl"), "{\"text\":\"dog\",\"label\":0}\n");
        model = Files.createDirectory(dir.resolve("bert-tiny"));
    }

    private static TrainRequest request(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return command.buildRequest();
    }

    @Test
    void optionsMapOntoTheRequestWithRowsInline() {
        TrainRequest request = request("--base", model.toString(), "--train", train.toString(),
                "--validation", validation.toString(), "--task", "text-classification", "--columns", "text,label",
                "--maxlength", "64", "--metrics", "accuracy,f1_macro", "--arg", "num_train_epochs=3",
                "--arg", "learning_rate=1e-4", "--label", "team=nlp", "--label", "run=a", "--idempotency-key", "k1");

        assertEquals(model.toAbsolutePath().toString(), request.getBase());
        assertEquals(3, request.getTrain().getRows().getRowsCount());
        assertEquals("Cats", request.getTrain().getRows().getRows(1).getFieldsOrThrow("text").getStringValue());
        assertEquals(1, request.getValidation().getRows().getRowsCount());
        assertEquals(Task.TEXT_CLASSIFICATION, request.getTask());
        assertEquals(List.of("text", "label"), request.getColumnsList());
        assertEquals(64, request.getMaxlength());
        assertEquals(List.of("accuracy", "f1_macro"), request.getMetricsList());
        assertEquals(3.0, request.getArgs().getNumTrainEpochs());
        assertEquals(1e-4, request.getArgs().getLearningRate());
        assertEquals("nlp", request.getLabelsOrThrow("team"));
        assertEquals("a", request.getLabelsOrThrow("run"));
        assertEquals("k1", request.getIdempotencyKey());
    }

    @Test
    void taskAndDistillationOptionsMapOntoTheirFields() {
        TrainRequest request = request("--base", model.toString(), "--train", train.toString(), "--stride", "32",
                "--prefix", "translate: ", "--merge", "pack", "--checkpoint", "latest", "--teacher", "job:teacher",
                "--temperature", "2.5", "--alpha", "0");
        assertEquals(32, request.getStride());
        assertEquals("translate: ", request.getPrefix());
        assertEquals("pack", request.getMerge());
        assertEquals("latest", request.getCheckpoint());
        assertEquals("job:teacher", request.getTeacher());
        assertEquals(2.5, request.getDistillation().getTemperature());
        assertTrue(request.getDistillation().hasAlpha(), "an explicit alpha of 0 is sent, not left to the default");
        assertEquals(0.0, request.getDistillation().getAlpha());
        assertFalse(request("--base", model.toString(), "--train", train.toString(), "--teacher", model.toString())
                .hasDistillation(), "no settings given: the gateway's defaults apply");
    }

    @Test
    void byReferenceSendsAbsolutePathsInsteadOfRows() {
        TrainRequest request = request("--base", "org/some-hub-model", "--train", train.toString(),
                "--validation", validation.toString(), "--by-reference");
        assertEquals(train.toAbsolutePath().toString(), request.getTrain().getUri());
        assertEquals(validation.toAbsolutePath().toString(), request.getValidation().getUri());
        assertEquals("org/some-hub-model", request.getBase(), "a base that is no local directory is sent as given");
    }

    @Test
    void defaultsLeaveTheGatewayToApplyTheReferenceDefaults() {
        TrainRequest request = request("--base", "job:abc", "--train", train.toString());
        assertEquals("job:abc", request.getBase());
        assertFalse(request.hasValidation());
        assertTrue(request.getColumnsList().isEmpty());
        assertEquals(0, request.getMaxlength());
        assertEquals(TrainingArguments.getDefaultInstance(), request.getArgs());
    }

    record Run(int code, String err) {}

    private static Run anneal(String... args) {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine();
        commandLine.setErr(new PrintWriter(err, true));
        commandLine.setOut(new PrintWriter(new StringWriter(), true));
        return new Run(commandLine.execute(args), err.toString());
    }

    @Test
    void badOptionsExitTwoWithAMessageNamingTheOptionBeforeAnythingIsSent() {
        // Port 1 has no gateway: each of these must fail before connecting.
        String t = "--target=localhost:1";
        assertEquals(new Run(2, "error: --arg learning_rat=1: unknown training argument 'learning_rat' (did you mean"
                        + " 'learning_rate'?). Supported (Hugging Face TrainingArguments names): "
                        + String.join(", ", dev.anneal.cli.request.TrainingArgumentsParser.names())
                        + "\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m", "--train", train.toString(), "--arg", "learning_rat=1"));
        assertEquals(new Run(2, "error: --train " + dir.resolve("nope.jsonl") + ": no such file\n"
                        + "See 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m", "--train", dir.resolve("nope.jsonl").toString()));
        assertEquals(new Run(2, "error: --base must not be empty\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", " ", "--train", train.toString()));
        assertEquals(new Run(2, "error: --maxlength must be positive, got -1\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m", "--train", train.toString(), "--maxlength", "-1"));
        assertTrue(anneal("train", t, "--base", "m", "--train", train.toString(), "--task", "nope").err()
                .startsWith("error: --task nope: unknown task; one of text-classification,"));
        assertEquals(new Run(2, "error: --temperature and --alpha need --teacher\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m", "--train", train.toString(), "--alpha", "0.3"));
        assertEquals(new Run(2, "error: --stride must be positive, got -4\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m", "--train", train.toString(), "--stride", "-4"));
        assertEquals(new Run(2, "error: Missing required option: '--train=FILE|ID'\nSee 'anneal train --help'.\n"),
                anneal("train", t, "--base", "m"));
    }

    @Test
    void aMalformedDataLineIsReportedWithFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.jsonl"), "{\"text\":\"a\",\"label\":0}\n{\"text\":\n");
        Run run = anneal("train", "--target=localhost:1", "--base", "m", "--train", bad.toString());
        assertEquals(2, run.code());
        assertTrue(run.err().startsWith("error: " + bad + ":2: not valid JSON"), run.err());
    }

    @Test
    void gatewayJvmOptionsSplitOnWhitespace() {
        assertEquals(List.of("-Xmx2g", "-Dx=y"), TrainCommand.jvmOptions("  -Xmx2g   -Dx=y "));
        assertEquals(List.of(), TrainCommand.jvmOptions(null));
    }
}
