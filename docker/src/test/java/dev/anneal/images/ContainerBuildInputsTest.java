package dev.anneal.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** No container engine runs here, so check what the Dockerfiles depend on: copied files, pinned versions, main class. */
class ContainerBuildInputsTest {

    static final String WORKER_MAIN = "dev.anneal.worker.main.WorkerMain";
    /** Base images carry a full version in their tag (eclipse-temurin:17.0.15_6-jre-jammy), never latest. */
    private static final Pattern PINNED = Pattern.compile("^[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+[A-Za-z0-9_.-]*$");
    private static final Set<String> QUARKUS_FAST_JAR = Set.of("lib/", "quarkus/", "app/", "quarkus-run.jar");

    private final Path repo = BuildPaths.repo();

    @Test
    void baseImagesArePinnedToVersionTags() throws IOException {
        for (Path file : List.of(gatewayDockerfile(), workerDockerfile())) {
            List<String> images = Dockerfile.read(file).baseImages();
            assertFalse(images.isEmpty(), file + " has no FROM");
            images.forEach(image -> assertTrue(PINNED.matcher(image).matches(),
                    () -> file + ": base image " + image + " is not pinned to a version tag"));
        }
    }

    /**
     * Pods run with runAsNonRoot, and worker pods set no runAsUser: the kubelet can only verify a numeric,
     * non-zero USER. It must be the UID/GID the chart gives the gateway, so both can write the shared store.
     */
    @Test
    void imagesRunAsTheNumericNonRootUserTheChartExpects() throws IOException {
        String values = Files.readString(repo.resolve("helm/anneal/values.yaml"));
        String uid = chartValue(values, "runAsUser");
        String gid = chartValue(values, "runAsGroup");
        for (Path file : List.of(gatewayDockerfile(), workerDockerfile())) {
            List<String> users = Dockerfile.read(file).instructions().stream()
                    .filter(i -> i.startsWith("USER ")).collect(Collectors.toList());
            assertEquals(List.of("USER " + uid + ":" + gid), users, file.toString());
            assertFalse(uid.equals("0"));
        }
    }

    private static String chartValue(String valuesYaml, String key) {
        Matcher matcher = Pattern.compile("(?m)^\\s+" + key + ":\\s*(\\d+)\\s*$").matcher(valuesYaml);
        assertTrue(matcher.find(), "helm/anneal/values.yaml sets " + key);
        return matcher.group(1);
    }

    @Test
    void gatewayImageCopiesTheQuarkusFastJar() throws IOException {
        List<String> sources = Dockerfile.read(gatewayDockerfile()).contextSources();

        String prefix = "gateway/target/quarkus-app/";
        sources.forEach(source -> assertTrue(source.startsWith(prefix), source));
        assertEquals(QUARKUS_FAST_JAR, sources.stream().map(s -> s.substring(prefix.length())).collect(Collectors.toSet()));
        // Those files come from the Quarkus build goal in its default fast-jar packaging.
        String pom = Files.readString(repo.resolve("gateway/pom.xml"));
        assertTrue(pom.contains("<artifactId>quarkus-maven-plugin</artifactId>") && pom.contains("<goal>build</goal>"),
                "gateway/pom.xml runs the Quarkus build goal");
        String properties = Files.readString(repo.resolve("gateway/src/main/resources/application.properties"));
        assertFalse(Pattern.compile("(?m)^\\s*quarkus\\.package\\.jar\\.type\\s*=\\s*(?!fast-jar)").matcher(properties).find(),
                "the gateway is packaged as a fast-jar");
    }

    /** The quarkus-app directory exists only after the gateway's package phase (mvn package/install, not mvn test). */
    @Test
    void gatewayImageInputsExistOnceTheGatewayIsPackaged() throws IOException {
        Path app = repo.resolve("gateway/target/quarkus-app");
        Assumptions.assumeTrue(Files.isDirectory(app),
                "gateway/target/quarkus-app is not built yet (run mvn -pl gateway -am package); its layout is checked from the poms only");
        for (String source : Dockerfile.read(gatewayDockerfile()).contextSources()) {
            Path path = repo.resolve(source);
            assertTrue(source.endsWith("/") ? Files.isDirectory(path) : Files.isRegularFile(path), () -> "missing " + path);
        }
        try (Stream<Path> lib = Files.list(app.resolve("lib/main"))) {
            assertTrue(lib.anyMatch(jar -> jar.getFileName().toString().startsWith("dev.anneal.anneal-worker-")),
                    "the gateway carries the worker pipeline for its local scheduler");
        }
    }

    @Test
    void workerImageInputsExist() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(workerDockerfile());

        for (String source : dockerfile.contextSources()) {
            Path path = repo.resolve(source);
            assertTrue(source.endsWith("/") ? Files.isDirectory(path) : Files.isRegularFile(path), () -> "missing " + path);
        }
        assertTrue(dockerfile.contextSources().contains("docker/target/worker/lib/"), dockerfile.contextSources().toString());
        assertTrue(Files.isExecutable(repo.resolve("docker/worker/anneal-worker")));
    }

    @Test
    void workerClasspathHoldsTheWorkerAndEngineButNotTheCpuLibtorchJar() throws IOException {
        List<String> jars = workerJars();

        assertTrue(jars.stream().anyMatch(j -> j.startsWith("anneal-worker-")), jars.toString());
        assertTrue(jars.contains("pytorch-engine-" + BuildPaths.djlVersion() + ".jar"), jars.toString());
        assertTrue(jars.contains(jniJarName()), jars.toString());
        assertTrue(jars.stream().anyMatch(j -> j.startsWith("slf4j-simple-")), "the worker logs through an SLF4J binding");
        assertFalse(jars.stream().anyMatch(j -> j.startsWith("pytorch-native-")),
                "libtorch is unpacked per flavour in /opt/libtorch, not loaded from the classpath");
    }

    @Test
    void libtorchVersionAndFlavoursMatchTheEngineOnTheClasspath() throws IOException {
        Dockerfile dockerfile = Dockerfile.read(workerDockerfile());
        String version = dockerfile.argDefault("PYTORCH_VERSION");

        assertEquals(BuildPaths.libtorchVersion(), version, "the Dockerfile's PYTORCH_VERSION follows the parent pom's libtorch.version");
        assertTrue(Files.isRegularFile(BuildPaths.workerDist().resolve("native/pytorch-native-cpu-" + version + "-linux-x86_64.jar")));
        try (ZipFile jni = new ZipFile(BuildPaths.workerDist().resolve("lib/" + jniJarName()).toFile())) {
            Properties properties = new Properties();
            try (InputStream in = jni.getInputStream(jni.getEntry("jnilib/pytorch.properties"))) {
                properties.load(in);
            }
            assertEquals(version + "-" + BuildPaths.djlVersion(), properties.getProperty("jni_version"));
            // The flavours the image can select must have a JNI library for DJL to pick by PYTORCH_FLAVOR.
            for (String flavour : List.of("cpu", "cu128")) {
                assertNotNull(jni.getEntry("jnilib/linux-x86_64/" + flavour + "/libdjl_torch.so"), "no JNI library for " + flavour);
            }
        }
        try (ZipFile cpu = new ZipFile(BuildPaths.workerDist().resolve("native/pytorch-native-cpu-" + version + "-linux-x86_64.jar").toFile())) {
            // The path the Dockerfile unpacks into /opt/libtorch/cpu.
            assertNotNull(cpu.getEntry("pytorch/cpu/linux-x86_64/libtorch.so"));
            assertTrue(dockerfile.instructions().stream().anyMatch(i -> i.contains("jar xf") && i.contains("pytorch/cpu/linux-x86_64")));
        }
    }

    @Test
    void launcherRunsTheWorkerMainClass() throws Exception {
        String launcher = Files.readString(repo.resolve("docker/worker/anneal-worker"));
        assertTrue(launcher.contains(" " + WORKER_MAIN + " "), "the launcher starts " + WORKER_MAIN);
        assertTrue(Dockerfile.read(workerDockerfile()).instructions().contains("ENTRYPOINT [\"/opt/anneal/bin/anneal-worker\"]"));

        Path workerJar = BuildPaths.workerDist().resolve("lib").resolve(
                workerJars().stream().filter(j -> j.startsWith("anneal-worker-")).findFirst().orElseThrow());
        String entry = WORKER_MAIN.replace('.', '/') + ".class";
        try (ZipFile jar = new ZipFile(workerJar.toFile())) {
            Assumptions.assumeTrue(jar.getEntry(entry) != null,
                    WORKER_MAIN + " is not in " + workerJar.getFileName() + " yet (the worker entry point is being written)");
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {workerJar.toUri().toURL()}, getClass().getClassLoader())) {
            Method main = Class.forName(WORKER_MAIN, false, loader).getMethod("main", String[].class);
            assertTrue(Modifier.isStatic(main.getModifiers()) && Modifier.isPublic(main.getModifiers()));
        }
    }

    private Path gatewayDockerfile() {
        return repo.resolve("docker/gateway/Dockerfile");
    }

    private Path workerDockerfile() {
        return repo.resolve("docker/worker/Dockerfile");
    }

    private static String jniJarName() {
        return "pytorch-jni-" + BuildPaths.libtorchVersion() + "-" + BuildPaths.djlVersion() + ".jar";
    }

    private static List<String> workerJars() throws IOException {
        try (Stream<Path> lib = Files.list(BuildPaths.workerDist().resolve("lib"))) {
            return lib.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}
