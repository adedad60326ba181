package dev.anneal.worker.model.seq2seq;

import ai.djl.ndarray.NDArray;

/**
 * An encoder-decoder language model (T5, BART) split into its two halves, so that generation encodes the
 * source once and re-runs only the decoder.
 */
public interface Seq2SeqLanguageModel {
    /** The encoder's last hidden state [batch, source, hidden]; {@code attentionMask} may be null (all ones). */
    NDArray encode(NDArray inputIds, NDArray attentionMask, boolean training);

    /**
     * The LM logits [batch, target, vocab] for {@code decoderInputIds} attending to {@code encoderHidden};
     * {@code decoderAttentionMask} and {@code encoderAttentionMask} may be null (all ones).
     */
    NDArray decodeLogits(NDArray decoderInputIds, NDArray decoderAttentionMask, NDArray encoderHidden,
            NDArray encoderAttentionMask, boolean training);

    /** {@code decoder_start_token_id}: the first decoder input. */
    long decoderStartTokenId();

    /** {@code eos_token_id}, or -1 when the config has none. */
    long eosTokenId();

    /** {@code pad_token_id}: fills finished sequences. */
    long padTokenId();
}
