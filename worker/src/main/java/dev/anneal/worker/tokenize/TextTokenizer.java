package dev.anneal.worker.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A Hugging Face fast tokenizer ({@code tokenizer.json} through DJL) with the settings of its
 * tokenizer_config.json. Encodes with special tokens, truncation (longest first) at {@code maxLength}
 * and no padding: collators pad each batch.
 */
public final class TextTokenizer implements AutoCloseable {
    private final Path directory;
    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerSettings settings;
    private final int maxLength;

    private TextTokenizer(Path directory, HuggingFaceTokenizer tokenizer, TokenizerSettings settings, int maxLength) {
        this.directory = directory;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.maxLength = maxLength;
    }

    public static TextTokenizer load(Path directory, TokenizerSettings settings, int maxLength) {
        Path file = directory.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw RunFailure.invalidArgument("base", "no tokenizer.json in " + directory);
        }
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        options.put("truncation", "true");
        options.put("maxLength", Integer.toString(maxLength));
        options.put("modelMaxLength", Integer.toString(maxLength));
        // tokenizer.json already holds the normalizer; DJL's Java-side text tweaks would double them.
        options.put("doLowerCase", "false");
        options.put("stripAccents", "false");
        options.put("addPrefixSpace", "false");
        try {
            return new TextTokenizer(directory, HuggingFaceTokenizer.newInstance(file, options), settings, maxLength);
        } catch (IOException | RuntimeException e) {
            throw RunFailure.invalidArgument("base", "cannot load tokenizer.json from " + directory + ": " + e);
        }
    }

    public Encoding encode(String text) {
        return tokenizer.encode(text);
    }

    public Encoding encode(String text, String pair) {
        return tokenizer.encode(text, pair);
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** The id of a special or added token, or null when the tokenizer has none by that text. */
    public Long tokenId(String token) {
        if (token == null) {
            return null;
        }
        Long id = settings.addedTokenIds().get(token);
        if (id != null) {
            return id;
        }
        long[] ids = tokenizer.encode(token, false, false).getIds();
        return ids.length == 1 ? ids[0] : null;
    }

    public Long padTokenId() {
        return tokenId(settings.padToken());
    }

    public TokenizerSettings settings() {
        return settings;
    }

    public int maxLength() {
        return maxLength;
    }

    /** The directory the tokenizer files came from; SAVE copies them next to the model. */
    public Path directory() {
        return directory;
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
