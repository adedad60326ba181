package dev.anneal.cli.embedded;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway run as a child JVM for one CLI command: started on free ports, ready once its gRPC health service
 * reports SERVING, stopped (SIGTERM, then forcibly) on {@link #close()}. Its output goes to a log file.
 */
public final class EmbeddedGateway implements AutoCloseable {

    private static final Duration STOP_GRACE = Duration.ofSeconds(20);

    private final Process process;
    private final int grpcPort;
    private final Path log;

    private EmbeddedGateway(Process process, int grpcPort, Path log) {
        this.process = process;
        this.grpcPort = grpcPort;
        this.log = log;
    }

    /** The command that runs a Quarkus gateway jar with its gRPC and HTTP servers on the given ports. */
    public static List<String> jarCommand(Path jar, List<String> jvmOptions, int grpcPort, int httpPort) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-Dquarkus.grpc.server.port=" + grpcPort);
        command.add("-Dquarkus.http.port=" + httpPort);
        command.add("-jar");
        command.add(jar.toString());
        return command;
    }

    /** Two distinct ports that were free a moment ago. */
    public static int[] freePorts() {
        try (ServerSocket a = new ServerSocket(0); ServerSocket b = new ServerSocket(0)) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        } catch (IOException e) {
            throw new UncheckedIOException("cannot find a free port", e);
        }
    }

    /**
     * Starts {@code command} and waits until the gRPC health check on {@code grpcPort} says SERVING.
     *
     * @throws IllegalStateException with the tail of the log when the process exits or is not ready in time
     */
    public static EmbeddedGateway start(List<String> command, int grpcPort, Path log, Duration timeout) {
        Process process;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            // glibc would unmap each step's large temporaries (and trim the heap under them) and page-fault
            // them back the next step; keeping them mapped saves tens of thousands of faults a step (bench/run).
            builder.environment().putIfAbsent("MALLOC_MMAP_THRESHOLD_", "1073741824");
            builder.environment().putIfAbsent("MALLOC_TRIM_THRESHOLD_", "1073741824");
            process = builder.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the gateway (" + String.join(" ", command) + "): "
                    + e.getMessage(), e);
        }
        EmbeddedGateway gateway = new EmbeddedGateway(process, grpcPort, log);
        try {
            gateway.awaitServing(timeout);
            return gateway;
        } catch (RuntimeException e) {
            gateway.close();
            throw e;
        }
    }

    public String target() {
        return "localhost:" + grpcPort;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    private void awaitServing(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ManagedChannel channel = ManagedChannelBuilder.forAddress("localhost", grpcPort).usePlaintext().build();
        try {
            HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
            String last = "no answer yet";
            while (System.nanoTime() < deadline) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the gateway exited with code " + process.exitValue()
                            + " before it was ready; its log " + log + " ends with:\n" + tail(log, 30));
                }
                try {
                    HealthCheckResponse response = health.withDeadlineAfter(2, TimeUnit.SECONDS)
                            .check(HealthCheckRequest.getDefaultInstance());
                    if (response.getStatus() == HealthCheckResponse.ServingStatus.SERVING) {
                        return;
                    }
                    last = "health status " + response.getStatus();
                } catch (StatusRuntimeException e) {
                    last = e.getStatus().getCode() == Status.Code.UNAVAILABLE ? "not listening yet"
                            : "health check failed: " + e.getStatus();
                }
                sleep(250);
            }
            throw new IllegalStateException("the gateway was not SERVING after " + timeout.toSeconds() + "s ("
                    + last + "); its log " + log + " ends with:\n" + tail(log, 30));
        } finally {
            channel.shutdownNow();
        }
    }

    /** Stops the gateway: SIGTERM for a graceful shutdown, then a forced kill after a grace period. */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(STOP_GRACE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the gateway", e);
        }
    }
}
