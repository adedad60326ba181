package dev.anneal.worker.hf;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code generation_config.json} as transformers' {@code GenerationConfig.from_model_config} derives it
 * when a generative model is saved: the generation settings found in config.json that differ from
 * GenerationConfig's defaults (token ids, beam settings, forced eos, ...), marked {@code _from_model_config}.
 */
public final class GenerationConfigs {
    public static final String FILE_NAME = "generation_config.json";
    /** GenerationConfig attributes with their defaults (null: no default, written whenever set). */
    private static final Map<String, JsonNode> DEFAULTS = new LinkedHashMap<>();
    /** Written even at their default value, as transformers 5 does. */
    private static final Map<String, JsonNode> ALWAYS = Map.of(
            "output_attentions", BooleanNode.FALSE,
            "output_hidden_states", BooleanNode.FALSE,
            "use_cache", BooleanNode.TRUE);

    static {
        for (String id : new String[] {"bos_token_id", "eos_token_id", "pad_token_id", "decoder_start_token_id",
                "forced_bos_token_id", "forced_eos_token_id", "max_new_tokens", "min_new_tokens", "max_time",
                "bad_words_ids", "suppress_tokens", "begin_suppress_tokens", "forced_decoder_ids", "penalty_alpha",
                "exponential_decay_length_penalty", "sequence_bias", "guidance_scale", "min_p", "stop_strings"}) {
            DEFAULTS.put(id, NullNode.instance);
        }
        DEFAULTS.put("max_length", IntNode.valueOf(20));
        DEFAULTS.put("min_length", IntNode.valueOf(0));
        DEFAULTS.put("early_stopping", BooleanNode.FALSE);
        DEFAULTS.put("do_sample", BooleanNode.FALSE);
        DEFAULTS.put("num_beams", IntNode.valueOf(1));
        DEFAULTS.put("num_beam_groups", IntNode.valueOf(1));
        DEFAULTS.put("temperature", DoubleNode.valueOf(1.0));
        DEFAULTS.put("top_k", IntNode.valueOf(50));
        DEFAULTS.put("top_p", DoubleNode.valueOf(1.0));
        DEFAULTS.put("typical_p", DoubleNode.valueOf(1.0));
        DEFAULTS.put("diversity_penalty", DoubleNode.valueOf(0.0));
        DEFAULTS.put("repetition_penalty", DoubleNode.valueOf(1.0));
        DEFAULTS.put("encoder_repetition_penalty", DoubleNode.valueOf(1.0));
        DEFAULTS.put("length_penalty", DoubleNode.valueOf(1.0));
        DEFAULTS.put("no_repeat_ngram_size", IntNode.valueOf(0));
        DEFAULTS.put("encoder_no_repeat_ngram_size", IntNode.valueOf(0));
        DEFAULTS.put("num_return_sequences", IntNode.valueOf(1));
        DEFAULTS.put("remove_invalid_values", BooleanNode.FALSE);
        DEFAULTS.put("renormalize_logits", BooleanNode.FALSE);
    }

    private GenerationConfigs() {
    }

    /** The generation config transformers derives from {@code modelConfig}. */
    public static HfConfig fromModelConfig(HfConfig modelConfig) {
        HfConfig out = HfConfig.parse("{}");
        out.set("_from_model_config", true);
        DEFAULTS.forEach((name, defaultValue) -> {
            JsonNode value = modelConfig.getNode(name);
            if (value != null && !value.isNull() && !sameValue(value, defaultValue)) {
                out.set(name, value);
            }
        });
        ALWAYS.forEach((name, defaultValue) -> {
            JsonNode value = modelConfig.getNode(name);
            out.set(name, value == null || value.isNull() ? defaultValue : value);
        });
        JsonNode version = modelConfig.getNode("transformers_version");
        if (version != null && version.isTextual()) {
            out.set("transformers_version", version.asText());
        }
        return out;
    }

    /** Writes {@code generation_config.json} into {@code dir} atomically, keys sorted like save_pretrained. */
    public static void write(Path dir, HfConfig generationConfig) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(FILE_NAME), generationConfig.toJson().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean sameValue(JsonNode value, JsonNode defaultValue) {
        if (defaultValue.isNull()) {
            return false;
        }
        if (value.isNumber() && defaultValue.isNumber()) {
            return value.asDouble() == defaultValue.asDouble();
        }
        return value.equals(defaultValue);
    }
}
