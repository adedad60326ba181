package dev.anneal.worker.model.lora;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.anneal.worker.model.HeadType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The PEFT {@code LoraConfig} settings Anneal honours.
 *
 * @param targetModules module names or name suffixes to adapt (PEFT matching); null means "all-linear"
 * @param modulesToSave modules trained in full next to the adapters (PEFT's task defaults when built from a head)
 * @param taskType PEFT task type (SEQ_CLS, TOKEN_CLS, QUESTION_ANS, CAUSAL_LM, SEQ_2_SEQ_LM), or null
 */
public record LoraConfig(int r, double alpha, double dropout, List<String> targetModules, List<String> modulesToSave,
        boolean useRslora, String taskType) {
    public static final String FILE_NAME = "adapter_config.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    public LoraConfig {
        if (r <= 0) {
            throw new IllegalArgumentException("lora r must be positive, got " + r);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("lora_dropout must be in [0, 1), got " + dropout);
        }
        targetModules = targetModules == null ? null : List.copyOf(targetModules);
        modulesToSave = List.copyOf(modulesToSave);
    }

    /**
     * A config for a model with {@code head}, as PEFT completes it from the task type: classification
     * heads ({@code classifier}, {@code score}) and QA outputs ({@code qa_outputs}) are trained in full.
     */
    public static LoraConfig forHead(HeadType head, int r, double alpha, double dropout, List<String> targetModules) {
        String task = switch (head) {
            case SEQUENCE_CLASSIFICATION -> "SEQ_CLS";
            case TOKEN_CLASSIFICATION -> "TOKEN_CLS";
            case QUESTION_ANSWERING -> "QUESTION_ANS";
            case CAUSAL_LM -> "CAUSAL_LM";
            case SEQ2SEQ_LM -> "SEQ_2_SEQ_LM";
            case MASKED_LM, PRETRAINING -> "FEATURE_EXTRACTION"; // txtai's type for language-modeling
            default -> null;
        };
        return new LoraConfig(r, alpha, dropout, targetModules, modulesToSaveFor(head), false, task);
    }

    /** The head modules PEFT trains in full for a task: classifiers and QA outputs; none for the others. */
    public static List<String> modulesToSaveFor(HeadType head) {
        return switch (head) {
            case SEQUENCE_CLASSIFICATION, TOKEN_CLASSIFICATION -> List.of("classifier", "score");
            case QUESTION_ANSWERING -> List.of("qa_outputs");
            default -> List.of();
        };
    }

    /** PEFT's scaling of the update: alpha / r (alpha / sqrt(r) with rsLoRA). */
    public double scaling() {
        return useRslora ? alpha / Math.sqrt(r) : alpha / r;
    }

    /** Reads {@code adapter_config.json}; only plain LoRA (no DoRA, bias none, no fan_in_fan_out) is accepted. */
    public static LoraConfig read(Path dir) throws IOException {
        Path file = dir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no adapter_config.json: not a PEFT adapter directory");
        }
        JsonNode node = JSON.readTree(file.toFile());
        if (!"LORA".equals(node.path("peft_type").asText("LORA"))) {
            throw new IOException(file + ": peft_type " + node.get("peft_type") + " is not LORA");
        }
        refuse(file, node, "use_dora", "DoRA");
        refuse(file, node, "fan_in_fan_out", "fan_in_fan_out");
        if (!"none".equals(node.path("bias").asText("none"))) {
            throw new IOException(file + ": bias " + node.get("bias") + " is not supported (only none)");
        }
        JsonNode targets = node.get("target_modules");
        List<String> targetList = null;
        if (targets != null && targets.isArray()) {
            targetList = new ArrayList<>();
            for (JsonNode t : targets) {
                targetList.add(t.asText());
            }
        } else if (targets != null && targets.isTextual() && !"all-linear".equals(targets.asText())) {
            targetList = List.of(targets.asText());
        }
        List<String> save = new ArrayList<>();
        node.path("modules_to_save").forEach(m -> save.add(m.asText()));
        String task = node.hasNonNull("task_type") ? node.get("task_type").asText() : null;
        return new LoraConfig(node.path("r").asInt(8), node.path("lora_alpha").asDouble(8), node.path("lora_dropout").asDouble(0),
                targetList, save, node.path("use_rslora").asBoolean(false), task);
    }

    /** Whether {@code dir} holds a PEFT adapter (adapter_config.json) rather than a model. */
    public static boolean isAdapterDirectory(Path dir) {
        return Files.isRegularFile(dir.resolve(FILE_NAME));
    }

    /** The {@code base_model_name_or_path} an adapter was trained on, as its adapter_config.json names it. */
    public static String baseModelOf(Path dir) throws IOException {
        JsonNode base = JSON.readTree(dir.resolve(FILE_NAME).toFile()).get("base_model_name_or_path");
        if (base == null || !base.isTextual() || base.asText().isBlank()) {
            throw new IOException(dir.resolve(FILE_NAME) + " names no base_model_name_or_path");
        }
        return base.asText();
    }

    /** The adapter_config.json PEFT writes for this config with the resolved target module names. */
    String toJson(List<String> resolvedTargets, String baseModel) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.set("alpha_pattern", JsonNodeFactory.instance.objectNode());
        node.putNull("auto_mapping");
        node.put("base_model_name_or_path", baseModel);
        node.put("bias", "none");
        node.putNull("exclude_modules");
        node.put("fan_in_fan_out", false);
        node.put("inference_mode", true);
        node.put("init_lora_weights", true);
        node.putNull("layers_pattern");
        node.putNull("layers_to_transform");
        if (alpha == Math.rint(alpha)) {
            node.put("lora_alpha", (long) alpha);
        } else {
            node.put("lora_alpha", alpha);
        }
        node.put("lora_dropout", dropout);
        ArrayNode save = node.putArray("modules_to_save");
        modulesToSave.forEach(save::add);
        node.put("peft_type", "LORA");
        node.put("r", r);
        node.set("rank_pattern", JsonNodeFactory.instance.objectNode());
        node.putNull("revision");
        ArrayNode targets = node.putArray("target_modules");
        resolvedTargets.forEach(targets::add);
        if (taskType == null) {
            node.putNull("task_type");
        } else {
            node.put("task_type", taskType);
        }
        node.put("use_dora", false);
        node.put("use_rslora", useRslora);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void refuse(Path file, JsonNode node, String field, String what) throws IOException {
        if (node.path(field).asBoolean(false)) {
            throw new IOException(file + ": " + what + " (" + field + "=true) is not supported");
        }
    }
}
