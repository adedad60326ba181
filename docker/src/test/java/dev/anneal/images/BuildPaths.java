package dev.anneal.images;

import java.nio.file.Path;
import java.nio.file.Paths;

/** Where the checkout, the Dockerfiles and the assembled worker are; surefire passes them in. */
final class BuildPaths {

    private BuildPaths() {}

    static Path repo() {
        return Paths.get(required("anneal.repo.dir")).toAbsolutePath().normalize();
    }

    /** docker/target/worker: lib/ (the classpath) and native/ (libtorch jars), assembled in generate-resources. */
    static Path workerDist() {
        return Paths.get(required("anneal.worker.dist")).toAbsolutePath().normalize();
    }

    static String libtorchVersion() {
        return required("anneal.libtorch.version");
    }

    static String djlVersion() {
        return required("anneal.djl.version");
    }

    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("system property " + property + " is not set (the docker module's surefire sets it)");
        }
        return value;
    }
}
