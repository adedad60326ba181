package dev.anneal.worker.train;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What the collators need to know about the tokenizer and the model: pad id and side, the ids of every
 * special token (never masked), the mask token, the size of the vocabulary random replacements come
 * from, the decoder start token of encoder-decoder models, and the seed of the masking draws.
 */
public record CollatorSettings(long padTokenId, String paddingSide, Set<Long> specialTokenIds, Long maskTokenId,
        long vocabSize, long decoderStartTokenId, long seed) {

    public CollatorSettings {
        specialTokenIds = Set.copyOf(specialTokenIds);
    }

    public static CollatorSettings of(TextTokenizer tokenizer, HfConfig config, long seed) {
        TokenizerSettings settings = tokenizer.settings();
        Set<Long> special = new LinkedHashSet<>();
        for (String token : new String[] {settings.padToken(), settings.eosToken(), settings.bosToken(),
                settings.unkToken(), settings.clsToken(), settings.sepToken(), settings.maskToken()}) {
            Long id = tokenizer.tokenId(token);
            if (id != null) {
                special.add(id);
            }
        }
        long pad = tokenizer.padTokenId() != null ? tokenizer.padTokenId() : config.getLong("pad_token_id", 0);
        // HF draws random replacements from len(tokenizer); for the supported tokenizers that is the config's
        // vocab_size or less, and ids beyond the tokenizer exist in the embedding either way.
        long vocab = config.getLong("vocab_size", 0);
        long decoderStart = config.getLong("decoder_start_token_id", config.getLong("pad_token_id", pad));
        return new CollatorSettings(pad, settings.paddingSide(), special, tokenizer.tokenId(settings.maskToken()),
                vocab, decoderStart, seed);
    }
}
