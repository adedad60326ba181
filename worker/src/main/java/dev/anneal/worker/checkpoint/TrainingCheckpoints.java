package dev.anneal.worker.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.anneal.worker.hf.AtomicFiles;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsWriter;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.tensor.TorchOwned;
import dev.anneal.worker.train.AdamW;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A job's {@code checkpoint-<step>/} directories, laid out as Hugging Face Trainer lays them out, with
 * safetensors and JSON in place of torch pickles: config.json + model.safetensors (the model, loadable by
 * transformers), optimizer.safetensors (AdamW moments by parameter name), position.json (loop position,
 * optimizer step count, metrics) and trainer_state.json. Each checkpoint is written into a staging
 * directory and renamed into place, so a crash mid-write leaves the earlier checkpoints intact.
 */
public final class TrainingCheckpoints {
    public static final String PREFIX = "checkpoint-";
    private static final Pattern NAME = Pattern.compile(PREFIX + "(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final String OPTIMIZER = "optimizer.safetensors";
    private static final String POSITION = "position.json";

    private final Path root;

    public TrainingCheckpoints(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Where the checkpoint of {@code step} lives (or will). */
    public Path directoryFor(long step) {
        return root.resolve(PREFIX + step);
    }

    /** Writes {@code checkpoint-<step>} atomically and returns it. */
    public CheckpointInfo save(TransformerModel model, AdamW optimizer, LoopPosition position,
            Map<String, Double> metrics, byte[] trainerState) throws IOException {
        Files.createDirectories(root);
        Path target = directoryFor(position.globalStep());
        Path staging = Files.createTempDirectory(root, "." + target.getFileName() + ".saving-");
        try {
            HfCheckpoint.writeTo(model, staging);
            SafetensorsWriter.write(staging.resolve(OPTIMIZER), optimizer.state());
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("global_step", position.globalStep());
            state.put("epoch", position.epoch());
            state.put("next_micro_batch", position.nextMicroBatch());
            state.put("optimizer_steps", position.optimizerSteps());
            state.put("loss_sum", position.lossSum());
            state.put("metrics", metrics);
            AtomicFiles.write(staging.resolve(POSITION), JSON.writeValueAsBytes(state));
            AtomicFiles.write(staging.resolve("trainer_state.json"), trainerState);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            AtomicFiles.move(staging, target);
        } finally {
            deleteTree(staging);
        }
        return new CheckpointInfo(position.globalStep(), target, metrics);
    }

    /** Every complete checkpoint, oldest first. Staging directories of an interrupted save are not listed. */
    public List<CheckpointInfo> list() throws IOException {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        List<CheckpointInfo> checkpoints = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path dir : entries.toList()) {
                Matcher matcher = NAME.matcher(dir.getFileName().toString());
                if (matcher.matches() && Files.isRegularFile(dir.resolve(POSITION))) {
                    checkpoints.add(new CheckpointInfo(Long.parseLong(matcher.group(1)), dir, metricsOf(dir)));
                }
            }
        }
        checkpoints.sort(Comparator.comparingLong(CheckpointInfo::step));
        return checkpoints;
    }

    public Optional<CheckpointInfo> latest() throws IOException {
        List<CheckpointInfo> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /** Deletes the oldest checkpoints beyond {@code limit}, never {@code keep} (the best one), as HF rotates. */
    public List<Path> rotate(int limit, Path keep) throws IOException {
        List<Path> deleted = new ArrayList<>();
        if (limit <= 0) {
            return deleted;
        }
        List<CheckpointInfo> all = list();
        int excess = all.size() - limit;
        for (CheckpointInfo checkpoint : all) {
            if (excess <= 0) {
                break;
            }
            if (keep != null && checkpoint.directory().equals(keep)) {
                continue;
            }
            deleteTree(checkpoint.directory());
            deleted.add(checkpoint.directory());
            excess--;
        }
        return deleted;
    }

    /**
     * Copies a checkpoint's weights into {@code model}'s existing parameter arrays (so an optimizer that
     * holds them keeps working); the checkpoint must hold exactly the model's stored parameters.
     */
    public static void loadWeights(Path checkpoint, TransformerModel model) throws IOException {
        SafetensorsReader reader = SafetensorsReader.open(checkpoint.resolve(HfCheckpoint.WEIGHTS_FILE));
        try (NDManager scope = model.manager().newSubManager()) {
            for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
                if (!reader.contains(entry.getKey())) {
                    throw new IOException(checkpoint + " has no weights for " + entry.getKey());
                }
                NDArray target = entry.getValue().getArray();
                NDArray source = reader.read(entry.getKey(), scope, target.getDataType());
                if (!source.getShape().equals(target.getShape())) {
                    throw new IOException(checkpoint + ": " + entry.getKey() + " has shape " + source.getShape()
                            + ", the model needs " + target.getShape());
                }
                TorchOwned.copyInto(target, source);
            }
        }
    }

    /** Restores optimizer moments from a checkpoint and returns where the loop stood. */
    public static LoopPosition restoreOptimizer(Path checkpoint, AdamW optimizer, NDManager manager) throws IOException {
        JsonNode state = JSON.readTree(checkpoint.resolve(POSITION).toFile());
        LoopPosition position = new LoopPosition(state.get("global_step").asLong(), state.get("epoch").asInt(),
                state.get("next_micro_batch").asLong(), state.get("optimizer_steps").asLong(),
                state.get("loss_sum").asDouble());
        try (NDManager scope = manager.newSubManager()) {
            Map<String, NDArray> moments = SafetensorsReader.open(checkpoint.resolve(OPTIMIZER))
                    .readAll(scope, DataType.FLOAT32);
            optimizer.restore(moments, position.optimizerSteps());
        }
        return position;
    }

    private static Map<String, Double> metricsOf(Path dir) throws IOException {
        JsonNode metrics = JSON.readTree(dir.resolve(POSITION).toFile()).path("metrics");
        Map<String, Double> values = new LinkedHashMap<>();
        metrics.fields().forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
        return values;
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
