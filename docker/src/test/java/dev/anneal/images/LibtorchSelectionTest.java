package dev.anneal.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker image's libtorch mechanism, for real: libtorch unpacked from the CPU jar into a flavour directory
 * (as the Dockerfile does), the image's classpath (no native jar on it), and the environment the launcher exports.
 * DJL must load libtorch from that directory, pick the JNI library for the flavour, and compute, offline.
 */
class LibtorchSelectionTest {

    @Test
    void djlLoadsTheUnpackedFlavourNamedByTheLauncherEnvironment(@TempDir Path cache) throws Exception {
        String version = BuildPaths.libtorchVersion();
        Path flavourDir = unpackCpuLibtorch(version);

        Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
        String classpath = BuildPaths.workerDist().resolve("lib") + "/*" + java.io.File.pathSeparator
                + Paths.get(LibtorchProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ProcessBuilder builder = new ProcessBuilder(javaBin.toString(), "-Dai.djl.offline=true", "-cp", classpath,
                LibtorchProbe.class.getName());
        builder.environment().put("PYTORCH_LIBRARY_PATH", flavourDir.toString());
        builder.environment().put("PYTORCH_FLAVOR", "cpu");
        builder.environment().put("PYTORCH_VERSION", version);
        builder.environment().put("DJL_CACHE_DIR", cache.toString());
        builder.environment().put("DJL_OFFLINE", "true");
        builder.environment().put("OMP_NUM_THREADS", "1");
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "the probe finished");

        assertEquals(0, process.exitValue(), output);
        List<String> lines = output.lines().toList();
        assertTrue(lines.contains("sum=12.0"), output);
        assertTrue(lines.contains("engine=" + version), output);
        assertTrue(lines.contains("libtorch=" + flavourDir), output);
        // The flavour picked the JNI library; libtorch itself was not copied into the cache.
        Path jni = cache.resolve("pytorch").resolve(version + "-cpu-linux-x86_64").resolve(BuildPaths.djlVersion() + "-libdjl_torch.so");
        assertTrue(Files.isRegularFile(jni), () -> "no " + jni + "; cache holds " + listing(cache));
        try (Stream<Path> files = Files.walk(cache)) {
            assertTrue(files.noneMatch(f -> f.getFileName().toString().startsWith("libtorch_cpu")), "libtorch was loaded in place");
        }
    }

    /** What the Dockerfile's libtorch stage does: pytorch/cpu/linux-x86_64 of the jar becomes <root>/cpu. Kept in target/. */
    private static Path unpackCpuLibtorch(String version) throws IOException {
        Path jar = BuildPaths.workerDist().resolve("native/pytorch-native-cpu-" + version + "-linux-x86_64.jar");
        Path dir = BuildPaths.workerDist().resolve("../libtorch/cpu").normalize();
        if (Files.isRegularFile(dir.resolve("libtorch.so"))) {
            return dir;
        }
        Path tmp = Files.createTempDirectory(dir.getParent() == null ? dir : Files.createDirectories(dir.getParent()), "unpack");
        String prefix = "pytorch/cpu/linux-x86_64/";
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory() || !entry.getName().startsWith(prefix)) {
                    continue;
                }
                try (InputStream in = zip.getInputStream(entry)) {
                    Files.copy(in, tmp.resolve(entry.getName().substring(prefix.length())), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        // Whole directory or nothing: an interrupted unpack is never mistaken for a complete one.
        Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        return dir;
    }

    private static String listing(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.map(dir::relativize).map(Path::toString).toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }
}
