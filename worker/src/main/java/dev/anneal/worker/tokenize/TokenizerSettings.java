package dev.anneal.worker.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code tokenizer_config.json} and {@code special_tokens_map.json} say about a tokenizer: its
 * maximum length, padding side and special tokens, plus the ids of every added token in tokenizer.json.
 */
public record TokenizerSettings(
        long modelMaxLength,
        String paddingSide,
        String padToken,
        String eosToken,
        String bosToken,
        String unkToken,
        String clsToken,
        String sepToken,
        String maskToken,
        Map<String, Long> addedTokenIds) {

    /** transformers' VERY_LARGE_INTEGER: the config said nothing about a maximum length. */
    public static final long UNBOUNDED = (long) 1e30;

    private static final ObjectMapper JSON = new ObjectMapper();

    public static TokenizerSettings read(Path dir) {
        JsonNode config = readJson(dir.resolve("tokenizer_config.json"));
        JsonNode specials = readJson(dir.resolve("special_tokens_map.json"));
        JsonNode tokenizer = readJson(dir.resolve("tokenizer.json"));
        Map<String, Long> added = new HashMap<>();
        for (JsonNode token : tokenizer.path("added_tokens")) {
            added.put(token.path("content").asText(), token.path("id").asLong());
        }
        JsonNode maxLength = config.path("model_max_length");
        long modelMaxLength = maxLength.isNumber() && maxLength.asDouble() < 1e18 ? maxLength.asLong() : UNBOUNDED;
        return new TokenizerSettings(
                modelMaxLength,
                config.path("padding_side").asText("right"),
                special("pad_token", config, specials),
                special("eos_token", config, specials),
                special("bos_token", config, specials),
                special("unk_token", config, specials),
                special("cls_token", config, specials),
                special("sep_token", config, specials),
                special("mask_token", config, specials),
                Map.copyOf(added));
    }

    /** The same settings with another pad token (HFTrainer pads with eos when a tokenizer has no pad token). */
    public TokenizerSettings withPadToken(String token) {
        return new TokenizerSettings(modelMaxLength, paddingSide, token, eosToken, bosToken, unkToken, clsToken,
                sepToken, maskToken, addedTokenIds);
    }

    /** A token may be a string or an AddedToken object ({"content": ...}); null when absent. */
    private static String special(String name, JsonNode config, JsonNode specials) {
        for (JsonNode source : new JsonNode[] {config.path(name), specials.path(name)}) {
            if (source.isTextual()) {
                return source.asText();
            }
            if (source.isObject() && source.path("content").isTextual()) {
                return source.path("content").asText();
            }
        }
        return null;
    }

    private static JsonNode readJson(Path file) {
        if (!Files.isRegularFile(file)) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw RunFailure.invalidArgument("base", "cannot read " + file.getFileName() + ": " + e.getMessage());
        }
    }
}
