package dev.anneal.cli.embedded;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the gateway's runnable jar for the embedded mode: an explicit path, else {@code ANNEAL_GATEWAY_JAR},
 * else {@code gateway/target/quarkus-app/quarkus-run.jar} of the checkout the CLI jar was built in
 * ({@code cli/target/anneal.jar}), else the same path under the working directory.
 */
public final class GatewayJar {

    static final String ENV = "ANNEAL_GATEWAY_JAR";
    static final Path IN_CHECKOUT = Path.of("gateway", "target", "quarkus-app", "quarkus-run.jar");

    private GatewayJar() {}

    /** @throws IllegalStateException listing the places looked at, when none holds the jar */
    public static Path locate(Path explicit, Map<String, String> env, Optional<Path> cliJar, Path workingDir) {
        if (explicit != null) {
            return requireFile(explicit, "--gateway-jar");
        }
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return requireFile(Path.of(fromEnv), ENV);
        }
        List<Path> candidates = new ArrayList<>();
        // cli/target/anneal.jar -> <checkout>/gateway/target/quarkus-app/quarkus-run.jar
        cliJar.map(Path::toAbsolutePath).map(Path::getParent).map(Path::getParent).map(Path::getParent)
                .ifPresent(checkout -> candidates.add(checkout.resolve(IN_CHECKOUT)));
        candidates.add(workingDir.toAbsolutePath().resolve(IN_CHECKOUT));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate)) {
                return candidate.normalize();
            }
        }
        throw new IllegalStateException("cannot find the gateway jar for --embedded; looked at "
                + candidates.stream().map(Path::normalize).toList() + ". Build it with `mvn -B -q install -DskipTests`"
                + " or point " + ENV + " (or --gateway-jar) at quarkus-run.jar");
    }

    /** The jar this class was loaded from, if it was loaded from a jar. */
    public static Optional<Path> cliJar() {
        try {
            var source = GatewayJar.class.getProtectionDomain().getCodeSource();
            if (source == null) {
                return Optional.empty();
            }
            Path location = Path.of(source.getLocation().toURI());
            return Files.isRegularFile(location) ? Optional.of(location) : Optional.empty();
        } catch (URISyntaxException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Path requireFile(Path path, String source) {
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(source + " points at " + path + ", which is not a file");
        }
        return path.toAbsolutePath().normalize();
    }
}
