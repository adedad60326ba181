package dev.anneal.worker.model.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.anneal.worker.hf.AtomicFiles;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsWriter;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;
import dev.anneal.worker.tensor.TorchOwned;
import dev.anneal.worker.train.Autograd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A model with LoRA adapters on its linear layers, as PEFT's {@code get_peft_model} makes it: the base
 * parameters are frozen, each target layer adds {@code B(A(dropout(x))) * alpha/r}, and the
 * {@code modules_to_save} (a classification head) train in full. Parameter names are PEFT's
 * ({@code base_model.model.<module>.lora_A.default.weight}); {@link #save} writes PEFT's adapter directory.
 *
 * <p>Run the model through {@link #forward} so LoRA dropout knows whether it is training. LoRA here adapts
 * {@link Linear} layers; families built on other layer types (GPT-2's Conv1D) are refused by name.
 */
public final class LoraModel {
    public static final String WEIGHTS_FILE = "adapter_model.safetensors";
    private static final String PREFIX = "base_model.model.";
    /** transformers' output embeddings (vocabulary projections), which PEFT's all-linear leaves alone. */
    public static final Set<String> OUTPUT_LAYERS = Set.of("cls.predictions.decoder", "lm_head", "lm_head.decoder",
            "generator_lm_head", "vocab_projector");

    private final TransformerModel model;
    private final LoraConfig config;
    private final Map<String, Linear> targets;
    private final Map<String, Parameter[]> adapters = new LinkedHashMap<>();
    private final Map<String, Parameter> saved = new LinkedHashMap<>();
    private final Map<String, String> savedRoots = new LinkedHashMap<>();
    private boolean training;

    private LoraModel(TransformerModel model, LoraConfig config, Map<String, Linear> targets) {
        this.model = model;
        this.config = config;
        this.targets = targets;
    }

    /** Adds fresh adapters (A kaiming-uniform from {@code seed}, B zero, as PEFT) and freezes the base. */
    public static LoraModel apply(TransformerModel model, LoraConfig config, long seed) {
        LoraModel lora = attach(model, config);
        lora.targets.forEach((name, linear) -> {
            Parameter[] ab = lora.adapters.get(name);
            ab[0].setArray(kaimingUniform(model.manager(), name, config.r(), linear.inFeatures(), seed, model.dataType()));
            ab[1].setArray(model.manager().zeros(new Shape(linear.outFeatures(), config.r()), model.dataType()));
        });
        lora.freezeBase();
        return lora;
    }

    /** Attaches the adapter saved in {@code dir} (PEFT's save_pretrained layout) to a loaded base model. */
    public static LoraModel load(TransformerModel model, Path dir) throws IOException {
        LoraConfig config = LoraConfig.read(dir);
        LoraModel lora = attach(model, config);
        try {
            lora.readWeights(dir);
        } catch (IOException | RuntimeException e) {
            lora.detach();
            throw e;
        }
        lora.freezeBase();
        return lora;
    }

    private void readWeights(Path dir) throws IOException {
        SafetensorsReader reader = SafetensorsReader.open(dir.resolve(WEIGHTS_FILE));
        Set<String> used = new HashSet<>();
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, Parameter[]> entry : adapters.entrySet()) {
            String[] names = {PREFIX + entry.getKey() + ".lora_A.weight", PREFIX + entry.getKey() + ".lora_B.weight"};
            for (int i = 0; i < 2; i++) {
                String stored = find(reader, names[i]);
                if (stored == null) {
                    missing.add(names[i]);
                    continue;
                }
                used.add(stored);
                entry.getValue()[i].setArray(reader.read(stored, model.manager(), model.dataType()));
            }
        }
        for (Map.Entry<String, Parameter> entry : saved.entrySet()) {
            String name = PREFIX + entry.getKey();
            String stored = find(reader, name);
            if (stored == null) {
                missing.add(name);
                continue;
            }
            used.add(stored);
            try (NDArray values = reader.read(stored, model.manager(), model.dataType())) {
                NDArray target = entry.getValue().getArray();
                if (!target.getShape().equals(values.getShape())) {
                    throw new IOException(dir + ": " + stored + " has shape " + values.getShape() + ", the model's "
                            + entry.getKey() + " is " + target.getShape());
                }
                TorchOwned.copyInto(target, values);
            }
        }
        List<String> unused = new ArrayList<>(reader.names());
        unused.removeAll(used);
        if (!missing.isEmpty() || !unused.isEmpty()) {
            throw new IOException(dir + ": adapter does not fit " + model.architecture() + "; missing " + missing
                    + ", not used " + unused);
        }
    }

    private static String find(SafetensorsReader reader, String name) {
        if (reader.contains(name)) {
            return name;
        }
        // In-memory PEFT names carry the adapter name; accept them too.
        String withDefault = name.replace(".lora_A.weight", ".lora_A.default.weight").replace(".lora_B.weight", ".lora_B.default.weight");
        return reader.contains(withDefault) ? withDefault : null;
    }

    private static LoraModel attach(TransformerModel model, LoraConfig config) {
        Map<String, NamedBlock> modules = new LinkedHashMap<>();
        model.visitModules("", modules::put);
        List<String> toSave = new ArrayList<>();
        for (String name : modules.keySet()) {
            if (config.modulesToSave().contains(lastSegment(name)) || config.modulesToSave().contains(name)) {
                toSave.add(name);
            }
        }
        if (config.targetModules() != null) {
            for (String target : config.targetModules()) {
                if (modules.keySet().stream().noneMatch(name -> matches(name, target))) {
                    throw new IllegalArgumentException("lora target module '" + target + "' matches no module of "
                            + model.architecture());
                }
            }
        }
        Map<String, Linear> targets = new LinkedHashMap<>();
        for (Map.Entry<String, NamedBlock> e : modules.entrySet()) {
            String name = e.getKey();
            if (insideAny(name, toSave)) {
                continue;
            }
            boolean wanted = config.targetModules() == null
                    ? e.getValue() instanceof Linear && !OUTPUT_LAYERS.contains(name)
                    : config.targetModules().stream().anyMatch(t -> matches(name, t));
            if (!wanted) {
                continue;
            }
            if (!(e.getValue() instanceof Linear linear)) {
                throw new IllegalArgumentException("lora target module '" + name + "' is a "
                        + e.getValue().getClass().getSimpleName() + ", not a linear layer; LoRA adapts Linear layers only");
            }
            targets.put(name, linear);
        }
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("lora target_modules " + (config.targetModules() == null ? "all-linear"
                    : config.targetModules()) + " match no linear layer of " + model.architecture());
        }
        LoraModel lora = new LoraModel(model, config, targets);
        model.namedParameters().forEach((name, parameter) -> {
            for (String root : toSave) {
                if (name.startsWith(root + ".")) {
                    lora.saved.put(name, parameter);
                    lora.savedRoots.put(name, root);
                }
            }
        });
        targets.forEach((name, linear) -> {
            if (linear.adapter() != null) {
                throw new IllegalStateException("layer '" + name + "' already has an adapter");
            }
            Parameter a = Parameter.builder().setName(name + ".lora_A").setType(Parameter.Type.WEIGHT).optRequiresGrad(true).build();
            Parameter b = Parameter.builder().setName(name + ".lora_B").setType(Parameter.Type.WEIGHT).optRequiresGrad(true).build();
            lora.adapters.put(name, new Parameter[] {a, b});
            linear.setAdapter(new LoraAdapter(a, b, config.scaling(), config.dropout(), () -> lora.training));
        });
        return lora;
    }

    /** Runs the adapted model (LoRA dropout only when training). */
    public ModelOutput forward(Batch batch, boolean training) {
        this.training = training;
        return model.forward(batch, training);
    }

    public TransformerModel model() {
        return model;
    }

    public LoraConfig config() {
        return config;
    }

    /** The adapted layers by module name, in model order. */
    public List<String> targetModules() {
        return List.copyOf(targets.keySet());
    }

    /**
     * What the optimizer trains, by PEFT's in-memory names: the adapters
     * ({@code base_model.model.X.lora_A.default.weight}) then the modules_to_save
     * ({@code base_model.model.classifier.modules_to_save.default.weight}).
     */
    public Map<String, Parameter> trainableParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        adapters.forEach((name, ab) -> {
            out.put(PREFIX + name + ".lora_A.default.weight", ab[0]);
            out.put(PREFIX + name + ".lora_B.default.weight", ab[1]);
        });
        saved.forEach((name, parameter) -> out.put(PREFIX + savedName(name, savedRoots.get(name)), parameter));
        return Collections.unmodifiableMap(out);
    }

    /** Writes adapter_config.json and adapter_model.safetensors (PEFT's saved names), each atomically. */
    public void save(Path dir, String baseModelNameOrPath) throws IOException {
        Files.createDirectories(dir);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        adapters.forEach((name, ab) -> {
            tensors.put(PREFIX + name + ".lora_A.weight", ab[0].getArray());
            tensors.put(PREFIX + name + ".lora_B.weight", ab[1].getArray());
        });
        saved.forEach((name, parameter) -> tensors.put(PREFIX + name, parameter.getArray()));
        SafetensorsWriter.write(dir.resolve(WEIGHTS_FILE), tensors);
        AtomicFiles.write(dir.resolve(LoraConfig.FILE_NAME),
                config.toJson(targetModules(), baseModelNameOrPath).getBytes(StandardCharsets.UTF_8));
    }

    /** Removes the adapters from the layers and unfreezes the base (the model is as before {@link #apply}). */
    public void detach() {
        targets.values().forEach(linear -> linear.setAdapter(null));
        model.namedParameters().values().forEach(p -> p.freeze(false));
        adapters.values().forEach(ab -> {
            ab[0].close();
            ab[1].close();
        });
    }

    /** classifier.dense.weight under root classifier -> classifier.modules_to_save.default.dense.weight (PEFT's copy). */
    private static String savedName(String name, String root) {
        return root + ".modules_to_save.default" + name.substring(root.length());
    }

    /** Freezes every base parameter except the modules_to_save; adapters always train. */
    private void freezeBase() {
        model.namedParameters().forEach((name, parameter) -> parameter.freeze(!saved.containsKey(name)));
        adapters.values().forEach(ab -> {
            ab[0].freeze(false);
            ab[1].freeze(false);
        });
    }

    /** PEFT's suffix matching: the module's full name or its last segments. */
    private static boolean matches(String name, String target) {
        return name.equals(target) || name.endsWith("." + target);
    }

    /**
     * Folds each adapter into its layer's weight ({@code W + B A * scaling}, PEFT's merge_and_unload) and
     * removes the adapters: the model then computes what the adapted model computed, with no LoRA attached.
     */
    public void mergeAndUnload() {
        // Outside autograd: the merge is no step of training, so nothing may record it.
        Autograd.paused(() -> {
            try (NDManager scope = model.manager().newSubManager()) {
                targets.forEach((name, linear) -> {
                    Parameter[] ab = adapters.get(name);
                    NDArray weight = linear.weight().getArray();
                    NDArray update = ab[1].getArray().matMul(ab[0].getArray());
                    update.attach(scope);
                    NDArray merged = weight.add(Scalars.mul(update, config.scaling()));
                    merged.attach(scope);
                    TorchOwned.copyInto(weight, merged);
                });
            }
        });
        detach();
    }

    private static boolean insideAny(String name, List<String> modules) {
        return modules.stream().anyMatch(m -> name.equals(m) || name.startsWith(m + "."));
    }

    private static String lastSegment(String name) {
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** PEFT's lora_A init: kaiming_uniform(a=sqrt(5)) = U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
    private static NDArray kaimingUniform(NDManager manager, String name, int r, long in, long seed, DataType type) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        double bound = 1.0 / Math.sqrt(in);
        float[] values = new float[Math.toIntExact(r * in)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) ((random.nextDouble() * 2 - 1) * bound);
        }
        return TorchOwned.copyOf(manager.create(values, new Shape(r, in)).toType(type, false));
    }
}
