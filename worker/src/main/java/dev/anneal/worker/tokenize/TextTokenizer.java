package dev.anneal.worker.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
    /** Further encoders over the same tokenizer.json with other truncation settings, by their options. */
    private final Map<String, HuggingFaceTokenizer> variants = new ConcurrentHashMap<>();

    private TextTokenizer(Path directory, HuggingFaceTokenizer tokenizer, TokenizerSettings settings, int maxLength) {
        this.directory = directory;
        this.tokenizer = tokenizer;
        this.settings = settings;
        this.maxLength = maxLength;
    }

    public static TextTokenizer load(Path directory, TokenizerSettings settings, int maxLength) {
        return new TextTokenizer(directory, open(directory, options(maxLength, "true", 0)), settings, maxLength);
    }

    private static Map<String, String> options(int maxLength, String truncation, int stride) {
        Map<String, String> options = new HashMap<>();
        options.put("addSpecialTokens", "true");
        options.put("padding", "false");
        options.put("truncation", truncation);
        options.put("maxLength", Integer.toString(maxLength));
        options.put("modelMaxLength", Integer.toString(maxLength));
        options.put("stride", Integer.toString(stride));
        // tokenizer.json already holds the normalizer; DJL's Java-side text tweaks would double them.
        options.put("doLowerCase", "false");
        options.put("stripAccents", "false");
        options.put("addPrefixSpace", "false");
        return options;
    }

    private static HuggingFaceTokenizer open(Path directory, Map<String, String> options) {
        Path file = directory.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw RunFailure.invalidArgument("base", "no tokenizer.json in " + directory);
        }
        try {
            return HuggingFaceTokenizer.newInstance(file, options);
        } catch (IOException | RuntimeException e) {
            throw RunFailure.invalidArgument("base", "cannot load tokenizer.json from " + directory + ": " + e);
        }
    }

    private HuggingFaceTokenizer variant(String truncation, int stride) {
        return variants.computeIfAbsent(truncation + "/" + stride,
                key -> open(directory, options(maxLength, truncation, stride)));
    }

    public Encoding encode(String text) {
        return tokenizer.encode(text);
    }

    public Encoding encode(String text, String pair) {
        return tokenizer.encode(text, pair);
    }

    /**
     * Encodes without truncation (txtai's {@code Texts} tokenizes language-model text this way: a long record
     * stays whole).
     */
    public Encoding encodeUntruncated(String text, String pair) {
        HuggingFaceTokenizer untruncated = variant("false", 0);
        return pair == null ? untruncated.encode(text) : untruncated.encode(text, pair);
    }

    /**
     * Encodes a pair truncating only one side at maxLength and returns every window, as Hugging Face's
     * {@code return_overflowing_tokens=True}: the first window, then the overflow windows, each repeating
     * {@code stride} tokens of the previous one.
     *
     * @param truncateSecond true truncates {@code second} (only_second), false truncates {@code first}
     */
    public List<Encoding> encodeWindows(String first, String second, boolean truncateSecond, int stride) {
        Encoding encoding = variant(truncateSecond ? "only_second" : "only_first", stride)
                .encode(first, second, true, true);
        List<Encoding> windows = new ArrayList<>();
        windows.add(encoding);
        windows.addAll(List.of(encoding.getOverflowing()));
        return windows;
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
        variants.values().forEach(HuggingFaceTokenizer::close);
        tokenizer.close();
    }
}
