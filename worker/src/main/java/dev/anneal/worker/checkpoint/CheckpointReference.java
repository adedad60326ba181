package dev.anneal.worker.checkpoint;

import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Resolves a request's {@code checkpoint}: "latest" is the newest checkpoint of this job (what a retried
 * worker resumes from), "job:&lt;id&gt;" the newest of an earlier job, "job:&lt;id&gt;/checkpoint-N" one of
 * its checkpoints, and a path a checkpoint directory. Unlike Hugging Face, which raises when "latest"
 * finds nothing, an empty result means start fresh (the run says so in an event).
 */
public final class CheckpointReference {
    private static final Pattern JOB = Pattern.compile("job:([A-Za-z0-9][A-Za-z0-9_.-]{0,127})(/(checkpoint-\\d+))?");

    private CheckpointReference() {
    }

    public static Optional<Path> resolve(String reference, RunEnvironment environment) {
        try {
            if (reference.equals("latest")) {
                return new TrainingCheckpoints(environment.checkpointsDir()).latest().map(CheckpointInfo::directory);
            }
            var job = JOB.matcher(reference);
            if (job.matches()) {
                Path root = environment.jobsRoot().resolve(job.group(1)).resolve("checkpoints");
                if (job.group(3) == null) {
                    Optional<Path> latest = new TrainingCheckpoints(root).latest().map(CheckpointInfo::directory);
                    if (latest.isEmpty()) {
                        throw RunFailure.invalidArgument("checkpoint", "job " + job.group(1) + " has no checkpoints");
                    }
                    return latest;
                }
                return Optional.of(requireCheckpoint(root.resolve(job.group(3)), reference));
            }
            return Optional.of(requireCheckpoint(Path.of(reference), reference));
        } catch (IOException e) {
            throw RunFailure.invalidArgument("checkpoint", "cannot read checkpoints for '" + reference + "': "
                    + e.getMessage());
        }
    }

    private static Path requireCheckpoint(Path dir, String reference) {
        if (!Files.isRegularFile(dir.resolve("position.json")) || !Files.isRegularFile(dir.resolve("model.safetensors"))) {
            throw RunFailure.invalidArgument("checkpoint", "'" + reference + "' is not an Anneal checkpoint directory");
        }
        return dir.toAbsolutePath().normalize();
    }
}
