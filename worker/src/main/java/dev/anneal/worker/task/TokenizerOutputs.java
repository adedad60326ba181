package dev.anneal.worker.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which optional outputs a Hugging Face tokenizer returns, so that features hold what {@code tokenizer(...)}
 * would: {@code token_type_ids} only when the tokenizer's {@code model_input_names} include them (BERT-like
 * tokenizers do; GPT-2, RoBERTa, BART, T5, DistilBERT and Llama do not — and GPT-2 would add a type
 * embedding if it were given them).
 */
public final class TokenizerOutputs {
    /** Tokenizer classes whose model_input_names are ["input_ids", "attention_mask"]. */
    private static final Set<String> WITHOUT_TYPE_IDS = Set.of("GPT2", "Roberta", "XLMRoberta", "Bart", "MBart",
            "T5", "MT5", "DistilBert", "Llama", "CodeLlama", "Gemma", "Qwen2", "Mpnet", "Bloom", "GPTNeoX", "CodeGen",
            "Pegasus", "Marian", "Longformer", "Camembert", "Phi", "Mistral", "Whisper");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Path, Boolean> CACHE = new ConcurrentHashMap<>();

    private TokenizerOutputs() {
    }

    public static boolean returnsTokenTypeIds(TextTokenizer tokenizer) {
        return CACHE.computeIfAbsent(tokenizer.directory().toAbsolutePath().normalize(),
                TokenizerOutputs::readTypeIds);
    }

    private static boolean readTypeIds(Path directory) {
        Path file = directory.resolve("tokenizer_config.json");
        if (!Files.isRegularFile(file)) {
            return true;
        }
        JsonNode config;
        try {
            config = JSON.readTree(file.toFile());
        } catch (IOException e) {
            return true;
        }
        JsonNode names = config.path("model_input_names");
        if (names.isArray()) {
            for (JsonNode name : names) {
                if ("token_type_ids".equals(name.asText())) {
                    return true;
                }
            }
            return false;
        }
        String tokenizerClass = config.path("tokenizer_class").asText("");
        String family = tokenizerClass.replaceFirst("TokenizerFast$", "").replaceFirst("Tokenizer$", "");
        // PreTrainedTokenizerBase's default model_input_names include token_type_ids.
        return !WITHOUT_TYPE_IDS.contains(family);
    }
}
