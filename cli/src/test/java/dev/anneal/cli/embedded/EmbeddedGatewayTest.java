package dev.anneal.cli.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.client.AnnealClient;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts a real child JVM serving gRPC health, as the embedded mode does with the gateway. */
public class EmbeddedGatewayTest {

    @TempDir
    Path dir;

    /** A jar that runs {@link FakeGatewayMain} with this test's class path, like quarkus-run.jar runs Quarkus. */
    public static Path fakeGatewayJar(Path dir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes attributes = manifest.getMainAttributes();
        attributes.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        attributes.put(Attributes.Name.MAIN_CLASS, FakeGatewayMain.class.getName());
        attributes.put(Attributes.Name.CLASS_PATH, Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .map(entry -> Path.of(entry).toUri().toString())
                .collect(Collectors.joining(" ")));
        Path jar = dir.resolve("quarkus-run.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // Only the manifest.
        }
        return jar;
    }

    private static List<String> command(Path jar, int grpcPort, int httpPort, String... jvmOptions) {
        return EmbeddedGateway.jarCommand(jar, List.of(jvmOptions), grpcPort, httpPort);
    }

    @Test
    void startsWaitsForServingAnswersAndStops() throws IOException {
        Path jar = fakeGatewayJar(dir);
        int[] ports = EmbeddedGateway.freePorts();
        Path log = dir.resolve("gateway.log");
        EmbeddedGateway gateway = EmbeddedGateway.start(command(jar, ports[0], ports[1], "-Dfake.delay.ms=1500"),
                ports[0], log, Duration.ofSeconds(60));
        try (gateway; AnnealClient client = AnnealClient.builder().setTarget(gateway.target()).build()) {
            assertEquals("localhost:" + ports[0], gateway.target());
            assertTrue(client.listJobs().isEmpty(), "SERVING means the TrainService answers too");
        }
        assertFalse(gateway.isAlive());
        assertTrue(Files.readString(log).contains("fake gateway: stopping"), "stopped gracefully with SIGTERM");
    }

    @Test
    void aGatewayThatExitsEarlyIsReportedWithItsLog() throws IOException {
        Path jar = fakeGatewayJar(dir);
        int[] ports = EmbeddedGateway.freePorts();
        Path log = dir.resolve("gateway.log");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedGateway.start(
                command(jar, ports[0], ports[1], "-Dfake.exit=3"), ports[0], log, Duration.ofSeconds(60)));
        assertTrue(e.getMessage().startsWith("the gateway exited with code 3 before it was ready; its log " + log
                + " ends with:\nfake gateway: configuration broken, exiting"), e.getMessage());
    }

    @Test
    void aGatewayThatIsNotServingInTimeIsStopped() throws IOException {
        Path jar = fakeGatewayJar(dir);
        int[] ports = EmbeddedGateway.freePorts();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> EmbeddedGateway.start(
                command(jar, ports[0], ports[1], "-Dfake.delay.ms=60000"), ports[0], dir.resolve("gateway.log"),
                Duration.ofSeconds(4)));
        assertTrue(e.getMessage().startsWith("the gateway was not SERVING after 4s"), e.getMessage());
    }

    @Test
    void theJarIsFoundFromTheOptionTheEnvironmentOrTheCheckout() throws IOException {
        Path checkout = dir.resolve("checkout");
        Path gatewayJar = checkout.resolve(GatewayJar.IN_CHECKOUT);
        Files.createDirectories(gatewayJar.getParent());
        Files.writeString(gatewayJar, "");
        Path cliJar = Files.createDirectories(checkout.resolve("cli/target")).resolve("anneal.jar");
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));

        assertEquals(gatewayJar, GatewayJar.locate(null, Map.of(), Optional.of(cliJar), elsewhere));
        assertEquals(gatewayJar, GatewayJar.locate(null, Map.of(), Optional.empty(), checkout));
        assertEquals(gatewayJar, GatewayJar.locate(null, Map.of(GatewayJar.ENV, gatewayJar.toString()),
                Optional.empty(), elsewhere));
        assertEquals(gatewayJar, GatewayJar.locate(gatewayJar, Map.of(), Optional.empty(), elsewhere));

        IllegalStateException missing = assertThrows(IllegalStateException.class,
                () -> GatewayJar.locate(null, Map.of(), Optional.empty(), elsewhere));
        assertTrue(missing.getMessage().startsWith("cannot find the gateway jar for --embedded; looked at ["
                + elsewhere.resolve(GatewayJar.IN_CHECKOUT) + "]"), missing.getMessage());
        IllegalStateException badEnv = assertThrows(IllegalStateException.class,
                () -> GatewayJar.locate(null, Map.of(GatewayJar.ENV, "/nope.jar"), Optional.empty(), checkout));
        assertEquals("ANNEAL_GATEWAY_JAR points at /nope.jar, which is not a file", badEnv.getMessage());
    }
}
