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
 * @param datasetsRoot the directory of uploaded data sets, so {@code dataset_id} resolves (see
 *                   {@link dev.anneal.worker.data.UploadedDatasets})
 */
public record RunEnvironment(Path jobDir, Path jobsRoot, Path modelCache, Path datasetsRoot) {
    /** The name of the uploaded data sets' directory beside the jobs' directory on a data volume. */
    public static final String DATASETS_DIRECTORY = "datasets";

    public RunEnvironment {
        Objects.requireNonNull(jobDir, "jobDir");
        Objects.requireNonNull(jobsRoot, "jobsRoot");
        Objects.requireNonNull(datasetsRoot, "datasetsRoot");
    }

    /**
     * A run on a data volume laid out as the gateway keeps it: {@code jobs/} and {@code datasets/} side by
     * side, so uploaded data sets are found beside {@code jobsRoot}.
     */
    public RunEnvironment(Path jobDir, Path jobsRoot, Path modelCache) {
        this(jobDir, jobsRoot, modelCache, jobsRoot.toAbsolutePath().resolveSibling(DATASETS_DIRECTORY));
    }

    public Path modelDir() {
        return jobDir.resolve("model");
    }

    public Path checkpointsDir() {
        return jobDir.resolve("checkpoints");
    }
}
