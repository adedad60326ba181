package dev.anneal.gateway.e2e.txtai;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.seq2seq.GreedySeq2SeqGenerator;
import dev.anneal.worker.model.seq2seq.Seq2SeqLanguageModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * What txtai's inference pipelines return for a saved model, so the scenarios can assert exactly what
 * txtai's trainer tests assert: {@code Labels(dynamic=False)}, {@code Questions} and {@code Sequences}.
 */
final class TxtaiPipelines {
    /** Hugging Face's question-answering pipeline: longest answer in tokens. */
    private static final int MAX_ANSWER_TOKENS = 15;
    /** txtai's Questions: answers scoring below this are None. */
    private static final double MIN_ANSWER_SCORE = 0.05;
    /** Hugging Face's default generation max_length. */
    private static final int MAX_NEW_TOKENS = 20;

    private TxtaiPipelines() {
    }

    /** One (label id, score) pair of {@link #labels}. */
    record LabelScore(int id, double score) {
    }

    /**
     * txtai's {@code Labels((model, tokenizer), dynamic=False)(text)}: (id, score) best first, scores by softmax
     * over the labels, or by sigmoid when the model has a single output (regression), as txtai picks them.
     */
    static List<LabelScore> labels(SavedModel saved, String text) {
        float[] logits = saved.output(saved.tokenizer().encode(text), "logits");
        boolean[] all = new boolean[logits.length];
        Arrays.fill(all, true);
        double[] scores = logits.length == 1 ? new double[] {1 / (1 + Math.exp(-logits[0]))} : softmax(logits, all);
        List<LabelScore> out = new ArrayList<>();
        for (int i = 0; i < scores.length; i++) {
            out.add(new LabelScore(i, scores[i]));
        }
        out.sort(Comparator.comparingDouble(LabelScore::score).reversed());
        return out;
    }

    /** The single raw output of a regression model for {@code text}. */
    static double regression(SavedModel saved, String text) {
        return saved.output(saved.tokenizer().encode(text), "logits")[0];
    }

    /**
     * txtai's {@code Questions((model, tokenizer))([question], [context])[0]}, as Hugging Face's
     * question-answering pipeline computes it: start and end probabilities by softmax over the context tokens
     * and CLS, the best context span (end not before start, at most 15 tokens) by their product, the answer cut
     * from the context by the tokens' character offsets; null when the score is under txtai's 0.05.
     */
    static String questions(SavedModel saved, String question, String context) {
        Encoding encoding = saved.tokenizer().encode(question, context);
        float[] starts = saved.output(encoding, "start_logits");
        float[] ends = saved.output(encoding, "end_logits");
        long[] sequences = encoding.getSequenceIds();
        long[] ids = encoding.getIds();
        Long cls = saved.tokenizer().tokenId(saved.tokenizer().settings().clsToken());
        boolean[] candidate = new boolean[ids.length];
        for (int i = 0; i < ids.length; i++) {
            candidate[i] = sequences[i] == 1 || (cls != null && ids[i] == cls);
        }
        double[] startProbabilities = softmax(starts, candidate);
        double[] endProbabilities = softmax(ends, candidate);
        CharSpan[] offsets = encoding.getCharTokenSpans();
        double best = -1;
        String answer = null;
        for (int s = 0; s < ids.length; s++) {
            if (sequences[s] != 1) {
                continue;
            }
            for (int e = s; e < Math.min(ids.length, s + MAX_ANSWER_TOKENS); e++) {
                double score = startProbabilities[s] * endProbabilities[e];
                if (sequences[e] == 1 && score > best) {
                    best = score;
                    answer = context.substring(offsets[s].getStart(), offsets[e].getEnd());
                }
            }
        }
        return best < MIN_ANSWER_SCORE ? null : answer;
    }

    private static double[] softmax(float[] logits, boolean[] included) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (included[i]) {
                max = Math.max(max, logits[i]);
            }
        }
        double sum = 0;
        double[] out = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            out[i] = included[i] ? Math.exp(logits[i] - max) : 0;
            sum += out[i];
        }
        for (int i = 0; i < logits.length; i++) {
            out[i] /= sum;
        }
        return out;
    }

    /**
     * txtai's {@code Sequences((model, tokenizer))(text)}: greedy generation (Hugging Face's defaults: no
     * sampling, one beam, max_length 20) decoded without special tokens.
     */
    static String sequences(SavedModel saved, String text) {
        Encoding encoding = saved.tokenizer().encode(text);
        try (NDManager scope = saved.model().manager().newSubManager()) {
            Map<String, NDArray> inputs = saved.inputs(scope, encoding);
            GreedySeq2SeqGenerator.Generation generation = GreedySeq2SeqGenerator.generate(
                    (Seq2SeqLanguageModel) saved.model(), inputs.get("input_ids"), inputs.get("attention_mask"),
                    MAX_NEW_TOKENS);
            return saved.tokenizer().decode(generation.tokens(0), true).strip();
        }
    }
}
