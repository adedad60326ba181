package dev.anneal.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.hf.AtomicFiles;
import dev.anneal.worker.hf.CheckpointTensors;
import dev.anneal.worker.hf.GenerationConfigs;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsWriter;
import dev.anneal.worker.model.layers.ParameterSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads Hugging Face checkpoint weights into a {@link TransformerModel} and saves a model as a Hugging
 * Face directory, with transformers' naming rules:
 *
 * <ul>
 *   <li>a base checkpoint ({@code BertModel}: {@code embeddings...}) loads into a head model
 *       ({@code bert.embeddings...}) and a head checkpoint into a base model (the prefix is dropped);
 *   <li>legacy {@code LayerNorm.gamma/beta} names are read as {@code weight/bias};
 *   <li>a tied name (e.g. {@code cls.predictions.decoder.weight}) fills its stored parameter when only
 *       the tied copy was saved; otherwise tied copies are skipped;
 *   <li>stored tensors no parameter takes are reported by name, as are parameters with no weight.
 * </ul>
 */
public final class HfCheckpoint {
    public static final String WEIGHTS_FILE = SafetensorsReader.SINGLE_FILE;
    private static final Logger LOG = LoggerFactory.getLogger(HfCheckpoint.class);

    private HfCheckpoint() {
    }

    /** Loads the weights of {@code dir} into {@code model}. */
    public static LoadReport load(Path dir, TransformerModel model, LoadOptions options) throws IOException {
        // model.safetensors (preferred, as transformers) or pytorch_model.bin through the restricted unpickler.
        CheckpointTensors reader = CheckpointTensors.open(dir);
        Map<String, ParameterSpec> specs = model.parameterSpecs();
        Map<String, String> ties = model.tiedParameters();
        Map<String, String> sources = mapStoredNames(reader.names(), specs.keySet(), ties.keySet(), model);

        List<String> loaded = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> consumed = new HashSet<>();
        List<String> mismatched = new ArrayList<>();
        for (Map.Entry<String, ParameterSpec> entry : specs.entrySet()) {
            String name = entry.getKey();
            String stored = sources.get(name);
            if (stored == null) {
                stored = ties.entrySet().stream()
                        .filter(t -> t.getValue().equals(name) && sources.containsKey(t.getKey()))
                        .map(t -> sources.get(t.getKey()))
                        .findFirst().orElse(null);
            }
            if (stored == null) {
                missing.add(name);
                continue;
            }
            consumed.add(stored);
            long[] storedShape = reader.shape(stored);
            Shape expected = entry.getValue().shape();
            if (!Arrays.equals(storedShape, expected.getShape())) {
                mismatched.add(name + ": checkpoint " + new Shape(storedShape) + ", model " + expected);
                continue;
            }
            if (!reader.dtype(stored).isFloatingPoint()) {
                mismatched.add(name + ": checkpoint has " + reader.dtype(stored) + ", a floating point tensor is needed");
                continue;
            }
            entry.getValue().parameter().setArray(reader.read(stored, model.manager(), model.dataType()));
            loaded.add(name);
        }
        if (!mismatched.isEmpty()) {
            throw new CheckpointMismatchException(dir + ": weights do not fit " + model.architecture()
                    + " built from its config: " + String.join("; ", mismatched));
        }

        List<String> unexpected = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        sources.forEach((modelName, stored) -> {
            if (consumed.contains(stored)) {
                return;
            }
            if (ties.containsKey(modelName)) {
                ignored.add(stored);
            } else {
                unexpected.add(stored);
            }
        });
        for (String stored : reader.names()) {
            if (!sources.containsValue(stored)) {
                ignored.add(stored);
            }
        }
        if (!unexpected.isEmpty()) {
            LOG.warn("{}: {} stored tensors are not used by {}: {}", dir, unexpected.size(), model.architecture(), unexpected);
        }
        if (!missing.isEmpty()) {
            if (!options.initializeMissing()) {
                throw new CheckpointMismatchException(dir + ": no weights for " + missing.size() + " parameters of "
                        + model.architecture() + ": " + missing
                        + (unexpected.isEmpty() ? "" : "; unused tensors in the checkpoint: " + unexpected));
            }
            model.initializeParameters(missing, options.seed());
            LOG.info("{}: newly initialized {} parameters of {} (seed {}): {}", dir, missing.size(), model.architecture(),
                    options.seed(), missing);
        }
        return new LoadReport(loaded, missing, unexpected, ignored);
    }

    /**
     * Which stored tensor each model name (stored or tied) would take. Stored names that are buffers
     * transformers recomputes ({@code position_ids}) map to nothing and are reported as ignored.
     */
    private static Map<String, String> mapStoredNames(Set<String> stored, Set<String> owned, Set<String> tied,
            TransformerModel model) throws CheckpointMismatchException {
        String prefix = model.baseModelPrefix() + ".";
        boolean modelHasPrefix = Stream.concat(owned.stream(), tied.stream()).anyMatch(n -> n.startsWith(prefix));
        boolean fileHasPrefix = stored.stream().anyMatch(n -> n.startsWith(prefix));
        Map<String, String> sources = new LinkedHashMap<>();
        for (String name : stored) {
            if (name.endsWith("position_ids")) {
                continue;
            }
            String key = name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias");
            if (modelHasPrefix && !fileHasPrefix) {
                key = prefix + key;
            } else if (!modelHasPrefix && fileHasPrefix && key.startsWith(prefix)) {
                key = key.substring(prefix.length());
            }
            String previous = sources.put(key, name);
            if (previous != null) {
                throw new CheckpointMismatchException("stored tensors '" + previous + "' and '" + name
                        + "' both map to parameter '" + key + "'");
            }
        }
        return sources;
    }

    /**
     * Writes {@code config.json} (with {@code architectures}) and {@code model.safetensors} (exactly
     * transformers' stored names, tied tensors once) into {@code dir}, each file atomically. Other files
     * in {@code dir} (tokenizer, trainer state) are left alone.
     */
    public static void writeTo(TransformerModel model, Path dir) throws IOException {
        List<String> uninitialized = model.uninitializedParameters();
        if (!uninitialized.isEmpty()) {
            throw new IllegalStateException("cannot save " + model.architecture() + ": parameters without values: " + uninitialized);
        }
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        model.namedParameters().forEach((name, parameter) -> tensors.put(name, parameter.getArray()));
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors);
        HfConfig config = model.config().copy().setArchitecture(model.architecture());
        config.set("dtype", model.dataType().name().toLowerCase(java.util.Locale.ROOT));
        config.write(dir);
        if (model.head() == HeadType.SEQ2SEQ_LM || model.head() == HeadType.CAUSAL_LM) {
            // Generative models get the generation_config.json transformers derives from config.json.
            GenerationConfigs.write(dir, GenerationConfigs.fromModelConfig(config));
        }
    }

    /**
     * Saves the model as a new Hugging Face directory {@code dir}: everything is written into a temporary
     * sibling directory which then replaces {@code dir} by atomic renames, so a crash never leaves a
     * half-written model under {@code dir}.
     */
    public static void save(TransformerModel model, Path dir) throws IOException {
        Path target = dir.toAbsolutePath().normalize();
        Path parent = target.getParent();
        Files.createDirectories(parent);
        Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".saving-");
        try {
            writeTo(model, staging);
            replaceDirectory(staging, target);
        } finally {
            deleteTree(staging);
        }
    }

    /** Moves {@code staging} to {@code target}; an existing target is first renamed aside, then deleted. */
    static void replaceDirectory(Path staging, Path target) throws IOException {
        if (!Files.exists(target)) {
            AtomicFiles.move(staging, target);
            return;
        }
        Path old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
        Files.delete(old);
        AtomicFiles.move(target, old);
        AtomicFiles.move(staging, target);
        deleteTree(old);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
