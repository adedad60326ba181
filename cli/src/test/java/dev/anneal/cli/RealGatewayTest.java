package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.anneal.cli.embedded.EmbeddedGateway;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The quick start's job, for real: the packaged gateway ({@code gateway/target/quarkus-app/quarkus-run.jar},
 * built before this module in the reactor) started as a child JVM, and {@code anneal train} fine-tuning the
 * example BERT on the example data through it. Skipped when the gateway has not been packaged.
 */
class RealGatewayTest {

    private static final Path CHECKOUT = Path.of("..").toAbsolutePath().normalize();
    private static final Path GATEWAY_JAR = CHECKOUT.resolve("gateway/target/quarkus-app/quarkus-run.jar");

    @TempDir
    Path dataDir;

    @Test
    void theExampleJobRunsThroughThePackagedGateway() throws IOException {
        assumeTrue(Files.isRegularFile(GATEWAY_JAR), "the gateway is not packaged at " + GATEWAY_JAR
                + "; run the build from the repository root (mvn -B verify) to include this test");
        int[] ports = EmbeddedGateway.freePorts();
        Path log = dataDir.resolve("gateway.log");
        List<String> command = EmbeddedGateway.jarCommand(GATEWAY_JAR,
                List.of("-Danneal.data-dir=" + dataDir.resolve("store"), "-Xmx1g"), ports[0], ports[1]);
        try (EmbeddedGateway gateway = EmbeddedGateway.start(command, ports[0], log, Duration.ofMinutes(3))) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine anneal = Main.commandLine();
            anneal.setOut(new PrintWriter(out, true));
            anneal.setErr(new PrintWriter(err, true));
            int code = anneal.execute("train", "--target", gateway.target(), "--plain",
                    "--base", CHECKOUT.resolve("examples/models/bert-tiny").toString(),
                    "--train", CHECKOUT.resolve("examples/data/animals-train.jsonl").toString(),
                    "--validation", CHECKOUT.resolve("examples/data/animals-validation.jsonl").toString(),
                    "--metrics", "accuracy", "--arg", "max_steps=20", "--arg", "learning_rate=2e-3");

            String printed = out.toString();
            assertEquals(0, code, printed + err + tail(log));
            assertTrue(printed.contains("[11/14] TRAIN started\nstep "), printed);
            assertTrue(printed.contains("step 20/20 "), printed);
            assertTrue(printed.contains("evaluation at step 20 "), printed);
            Matcher model = Pattern.compile("\nModel: (.+)\n").matcher(printed);
            assertTrue(model.find(), printed);
            Path saved = Path.of(model.group(1));
            assertTrue(saved.startsWith(dataDir), saved.toString());
            for (String file : List.of("config.json", "model.safetensors", "tokenizer.json")) {
                assertTrue(Files.isRegularFile(saved.resolve(file)), "saved " + file);
            }
            assertTrue(printed.contains("  eval_accuracy "), printed);
        }
    }

    /** The end of the gateway's log, for a failure message. */
    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return "\n--- gateway log ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }
}
