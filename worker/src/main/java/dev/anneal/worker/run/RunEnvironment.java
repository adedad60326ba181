package dev.anneal.worker.run;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a run reads and writes on its machine.
 *
 * @param jobDir     the job's own directory: the final model goes to {@code jobDir/model}, checkpoints
 *                   to {@code jobDir/checkpoints}
 * @param jobsRoot   the directory holding every job's directory, so {@code base = "job:<id>"} resolves
 *                   to an earlier job's model
 * @param modelCache a Hugging Face cache-layout directory for hub ids ({@code models--org--name/...}),
 *                   or null
 */
public record RunEnvironment(Path jobDir, Path jobsRoot, Path modelCache) {
    public RunEnvironment {
        Objects.requireNonNull(jobDir, "jobDir");
        Objects.requireNonNull(jobsRoot, "jobsRoot");
    }

    public Path modelDir() {
        return jobDir.resolve("model");
    }

    public Path checkpointsDir() {
        return jobDir.resolve("checkpoints");
    }
}
