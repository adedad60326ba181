package dev.anneal.worker.model.seq2seq;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/** What an encoder-decoder returns, as transformers' Seq2Seq(LM)Output: the shared tail of T5 and BART. */
public final class Seq2SeqOutputs {
    private Seq2SeqOutputs() {
    }

    /**
     * @param lmHead projects decoder states to logits, or null for the bare model (last_hidden_state)
     * @param labels the targets (-100 ignored), or null when no loss is wanted
     */
    public static ModelOutput of(NDArray decoderHidden, NDArray encoderHidden, UnaryOperator<NDArray> lmHead,
            NDArray labels) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray loss = null;
        if (lmHead == null) {
            tensors.put("last_hidden_state", decoderHidden);
        } else {
            NDArray logits = lmHead.apply(decoderHidden);
            tensors.put("logits", logits);
            if (labels != null) {
                loss = HfLosses.crossEntropy(logits, labels);
            }
        }
        tensors.put("encoder_last_hidden_state", encoderHidden);
        return new ModelOutput(loss, tensors);
    }
}
