package dev.anneal.worker.model.seq2seq;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Greedy decoding for encoder-decoder models, as {@code generate(do_sample=False, num_beams=1)} without
 * logits processors: the source is encoded once, then each step re-runs the decoder on everything
 * generated so far (no key/value cache) and appends the argmax of the last position. A sequence ends
 * after its eos token; the batch ends when all have, or after {@code maxNewTokens}.
 */
public final class GreedySeq2SeqGenerator {
    private GreedySeq2SeqGenerator() {
    }

    /** What greedy decoding produced per example: the new tokens (without the decoder start, with the eos). */
    public record Generation(long[][] tokens, double[][] margins) {
        /** The generated ids of example {@code i}. */
        public long[] tokens(int i) {
            return tokens[i].clone();
        }

        /** Per step of example {@code i}: top-1 minus top-2 logit (how safe the argmax was). */
        public double[] margins(int i) {
            return margins[i].clone();
        }
    }

    public static Generation generate(Seq2SeqLanguageModel model, NDArray inputIds, NDArray attentionMask, int maxNewTokens) {
        if (maxNewTokens < 0) {
            throw new IllegalArgumentException("maxNewTokens must be >= 0, got " + maxNewTokens);
        }
        int batch = (int) inputIds.getShape().get(0);
        long eos = model.eosTokenId();
        long[][] generated = new long[batch][maxNewTokens];
        double[][] margins = new double[batch][maxNewTokens];
        int[] lengths = new int[batch];
        boolean[] done = new boolean[batch];
        long[] decoderIds = new long[batch];
        Arrays.fill(decoderIds, model.decoderStartTokenId());
        try (NDManager scope = inputIds.getManager().newSubManager()) {
            NDArray encoderHidden = model.encode(inputIds, attentionMask, false);
            encoderHidden.attach(scope);
            for (int step = 0; step < maxNewTokens && !allDone(done); step++) {
                try (NDManager stepScope = scope.newSubManager()) {
                    NDArray ids = stepScope.create(decoderIds, new Shape(batch, step + 1));
                    NDArray logits = model.decodeLogits(ids, null, encoderHidden, attentionMask, false);
                    logits.attach(stepScope);
                    float[] last = logits.get(":, -1, :").toType(DataType.FLOAT32, false).toFloatArray();
                    int vocab = last.length / batch;
                    long[] next = new long[batch * (step + 2)];
                    for (int b = 0; b < batch; b++) {
                        long token;
                        if (done[b]) {
                            token = model.padTokenId();
                        } else {
                            int best = argmax(last, b * vocab, vocab);
                            token = best;
                            generated[b][lengths[b]] = token;
                            margins[b][lengths[b]] = margin(last, b * vocab, vocab, best);
                            lengths[b]++;
                            done[b] = token == eos;
                        }
                        System.arraycopy(decoderIds, b * (step + 1), next, b * (step + 2), step + 1);
                        next[b * (step + 2) + step + 1] = token;
                    }
                    decoderIds = next;
                }
            }
        }
        long[][] tokens = new long[batch][];
        double[][] stepMargins = new double[batch][];
        for (int b = 0; b < batch; b++) {
            tokens[b] = Arrays.copyOf(generated[b], lengths[b]);
            stepMargins[b] = Arrays.copyOf(margins[b], lengths[b]);
        }
        return new Generation(tokens, stepMargins);
    }

    private static boolean allDone(boolean[] done) {
        for (boolean d : done) {
            if (!d) {
                return false;
            }
        }
        return true;
    }

    private static int argmax(float[] values, int from, int count) {
        int best = 0;
        for (int i = 1; i < count; i++) {
            if (values[from + i] > values[from + best]) {
                best = i;
            }
        }
        return best;
    }

    private static double margin(float[] values, int from, int count, int best) {
        double second = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < count; i++) {
            if (i != best) {
                second = Math.max(second, values[from + i]);
            }
        }
        return values[from + best] - second;
    }
}
