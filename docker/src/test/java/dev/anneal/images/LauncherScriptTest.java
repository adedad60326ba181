package dev.anneal.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs docker/worker/anneal-worker with a stand-in {@code java} that records what it was started with,
 * over a libtorch root laid out as in the image.
 */
class LauncherScriptTest {

    @TempDir
    Path tmp;

    private Path libtorch;
    private Path record;
    private Path bin;

    @BeforeEach
    void layOutImage() throws IOException {
        libtorch = Files.createDirectories(tmp.resolve("libtorch"));
        Files.createDirectories(libtorch.resolve("cpu"));
        Files.createFile(libtorch.resolve("cpu/libtorch.so"));
        record = tmp.resolve("java-invocation.txt");
        bin = Files.createDirectories(tmp.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, String.join("\n",
                "#!/bin/sh",
                "{",
                "  echo \"PYTORCH_LIBRARY_PATH=$PYTORCH_LIBRARY_PATH\"",
                "  echo \"PYTORCH_FLAVOR=$PYTORCH_FLAVOR\"",
                "  for arg in \"$@\"; do echo \"ARG=$arg\"; done",
                "} > \"$RECORD\"",
                ""));
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    @Test
    void cpuWhenThePodHasNoGpus() throws Exception {
        addFlavour("cu128");

        Run run = launch(Map.of());

        assertEquals(0, run.exitCode, run.stderr);
        assertEquals(libtorch.resolve("cpu").toString(), run.recorded("PYTORCH_LIBRARY_PATH"));
        assertEquals("cpu", run.recorded("PYTORCH_FLAVOR"));
    }

    @Test
    void cudaFlavourWhenTheDevicePluginExposesGpus() throws Exception {
        addFlavour("cu128");

        Run run = launch(Map.of("NVIDIA_VISIBLE_DEVICES", "GPU-5f2c6e8a-1c1e-4b57-9a0f-2b9d7cbd4e11"));

        assertEquals(0, run.exitCode, run.stderr);
        assertEquals(libtorch.resolve("cu128").toString(), run.recorded("PYTORCH_LIBRARY_PATH"));
        assertEquals("cu128", run.recorded("PYTORCH_FLAVOR"));
    }

    @Test
    void cpuWithAWarningWhenGpusAreVisibleButTheImageIsCpuOnly() throws Exception {
        Run run = launch(Map.of("NVIDIA_VISIBLE_DEVICES", "all"));

        assertEquals(0, run.exitCode, run.stderr);
        assertEquals("cpu", run.recorded("PYTORCH_FLAVOR"));
        assertTrue(run.stderr.contains("no CUDA libtorch"), run.stderr);
    }

    @Test
    void noGpusMeansNoneEvenWhenTheVariableIsSet() throws Exception {
        addFlavour("cu128");

        assertEquals("cpu", launch(Map.of("NVIDIA_VISIBLE_DEVICES", "void")).recorded("PYTORCH_FLAVOR"));
    }

    @Test
    void explicitFlavourMissingFromTheImageIsAConfigurationError() throws Exception {
        Run run = launch(Map.of("ANNEAL_TORCH_FLAVOR", "cu126"));

        assertEquals(78, run.exitCode);
        assertTrue(run.stderr.contains("libtorch flavour 'cu126' is not in " + libtorch), run.stderr);
        assertTrue(run.stderr.contains("cpu"), "lists the flavours the image has: " + run.stderr);
        assertTrue(Files.notExists(record), "java was not started");
    }

    @Test
    void startsWorkerMainOnTheImageClasspathWithJavaOptsAndArguments() throws Exception {
        Run run = launch(Map.of("JAVA_OPTS", "-Xmx2g -XX:+UseG1GC", "ANNEAL_HOME", "/opt/anneal"), "--verbose");

        assertEquals(0, run.exitCode, run.stderr);
        assertEquals(List.of("-Xmx2g", "-XX:+UseG1GC", "-Dai.djl.offline=true", "-cp", "/opt/anneal/lib/*",
                ContainerBuildInputsTest.WORKER_MAIN, "--verbose"), run.args());
    }

    private void addFlavour(String flavour) throws IOException {
        Files.createDirectories(libtorch.resolve(flavour));
        Files.createFile(libtorch.resolve(flavour).resolve("libtorch.so"));
    }

    private Run launch(Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("sh", BuildPaths.repo().resolve("docker/worker/anneal-worker").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        Map<String, String> environment = builder.environment();
        environment.remove("NVIDIA_VISIBLE_DEVICES");
        environment.remove("ANNEAL_TORCH_FLAVOR");
        environment.remove("JAVA_OPTS");
        environment.put("PATH", bin + ":" + System.getenv("PATH"));
        environment.put("ANNEAL_LIBTORCH_ROOT", libtorch.toString());
        environment.put("RECORD", record.toString());
        environment.putAll(env);
        Process process = builder.start();
        process.getOutputStream().close();
        String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the launcher finished");
        return new Run(process.exitValue(), stderr, Files.exists(record) ? Files.readAllLines(record) : List.of());
    }

    private static final class Run {
        final int exitCode;
        final String stderr;
        final List<String> lines;

        Run(int exitCode, String stderr, List<String> lines) {
            this.exitCode = exitCode;
            this.stderr = stderr;
            this.lines = lines;
        }

        String recorded(String variable) {
            Map<String, String> values = new LinkedHashMap<>();
            lines.stream().filter(l -> !l.startsWith("ARG=")).forEach(l -> {
                String[] pair = l.split("=", 2);
                values.put(pair[0], pair[1]);
            });
            assertTrue(values.containsKey(variable), () -> "java was not started with " + variable + "; stderr: " + stderr);
            return values.get(variable);
        }

        List<String> args() {
            return lines.stream().filter(l -> l.startsWith("ARG=")).map(l -> l.substring(4)).collect(java.util.stream.Collectors.toList());
        }
    }
}
