package dev.anneal.worker.model.causal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.TransformerModel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Greedy decoding for causal language models: at every step the whole sequence is run again (no
 * key/value cache; meant for small models and tests) and the argmax of the last position's logits is
 * appended, as transformers' {@code generate(do_sample=False, num_beams=1)} without logits processors.
 * Left-padded prompts get the position ids transformers' generate derives from the attention mask.
 */
public final class GreedyGeneration {
    private GreedyGeneration() {
    }

    /**
     * The continuation of one prompt.
     *
     * @param ids the generated ids (without the prompt), ending with an end-of-sequence id when one was produced
     * @param margins per generated id, its logit minus the runner-up's: below ~1e-3 a rounding difference may
     *     change the choice
     */
    public record Continuation(long[] ids, float[] margins) {
    }

    /** Continues one unpadded prompt for at most {@code maxNewTokens}, stopping after any of {@code eosTokenIds}. */
    public static Continuation generate(TransformerModel model, long[] promptIds, int maxNewTokens, long... eosTokenIds) {
        long[][] prompts = {promptIds};
        long[][] mask = {filled(promptIds.length, 1)};
        return generate(model, prompts, mask, maxNewTokens, eosTokenIds).get(0);
    }

    /**
     * Continues a batch of prompts of equal length (left-padded where shorter: 0 in {@code attentionMask}).
     * A row that has produced an end-of-sequence id stops growing; the others go on until all are done or
     * {@code maxNewTokens} steps have run.
     */
    public static List<Continuation> generate(TransformerModel model, long[][] inputIds, long[][] attentionMask,
            int maxNewTokens, long... eosTokenIds) {
        if (model.head() != HeadType.CAUSAL_LM) {
            throw new IllegalArgumentException("greedy generation needs a causal language model, not " + model.architecture());
        }
        if (inputIds.length == 0 || inputIds.length != attentionMask.length) {
            throw new IllegalArgumentException("need one attention mask row per prompt, got " + inputIds.length
                    + " prompts and " + attentionMask.length + " mask rows");
        }
        int batch = inputIds.length;
        List<List<Long>> sequences = new ArrayList<>();
        List<List<Long>> masks = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            if (inputIds[b].length != inputIds[0].length || attentionMask[b].length != inputIds[b].length) {
                throw new IllegalArgumentException("prompt " + b + ": ids and mask must all have length " + inputIds[0].length
                        + " (pad on the left)");
            }
            sequences.add(toList(inputIds[b]));
            masks.add(toList(attentionMask[b]));
        }
        long filler = fillerToken(model.config(), eosTokenIds);
        List<List<Long>> generated = new ArrayList<>();
        List<List<Float>> margins = new ArrayList<>();
        boolean[] finished = new boolean[batch];
        for (int b = 0; b < batch; b++) {
            generated.add(new ArrayList<>());
            margins.add(new ArrayList<>());
        }
        for (int step = 0; step < maxNewTokens && !allTrue(finished); step++) {
            float[][] last = lastLogits(model, sequences, masks);
            for (int b = 0; b < batch; b++) {
                long next = filler;
                if (!finished[b]) {
                    int best = argMax(last[b]);
                    next = best;
                    generated.get(b).add(next);
                    margins.get(b).add(last[b][best] - runnerUp(last[b], best));
                    finished[b] = contains(eosTokenIds, next);
                }
                sequences.get(b).add(next);
                masks.get(b).add(1L);
            }
        }
        List<Continuation> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            long[] ids = generated.get(b).stream().mapToLong(Long::longValue).toArray();
            float[] m = new float[margins.get(b).size()];
            for (int i = 0; i < m.length; i++) {
                m[i] = margins.get(b).get(i);
            }
            out.add(new Continuation(ids, m));
        }
        return out;
    }

    /** The end-of-sequence ids of a config: {@code eos_token_id} as a number or a list; empty when unset. */
    public static long[] eosTokenIds(HfConfig config) {
        JsonNode node = config.getNode("eos_token_id");
        if (node == null) {
            return new long[0];
        }
        if (node.isIntegralNumber()) {
            return new long[] {node.asLong()};
        }
        if (node.isArray()) {
            long[] ids = new long[node.size()];
            for (int i = 0; i < ids.length; i++) {
                if (!node.get(i).isIntegralNumber()) {
                    throw new IllegalArgumentException("config eos_token_id: expected integers, got " + node);
                }
                ids[i] = node.get(i).asLong();
            }
            return ids;
        }
        throw new IllegalArgumentException("config eos_token_id: expected an integer or a list of integers, got " + node);
    }

    private static float[][] lastLogits(TransformerModel model, List<List<Long>> sequences, List<List<Long>> masks) {
        int batch = sequences.size();
        int seq = sequences.get(0).size();
        long[] ids = new long[batch * seq];
        long[] mask = new long[batch * seq];
        for (int b = 0; b < batch; b++) {
            for (int t = 0; t < seq; t++) {
                ids[b * seq + t] = sequences.get(b).get(t);
                mask[b * seq + t] = masks.get(b).get(t);
            }
        }
        try (NDManager scratch = NDManager.newBaseManager()) {
            Shape shape = new Shape(batch, seq);
            NDArray attention = scratch.create(mask, shape);
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("input_ids", scratch.create(ids, shape));
            tensors.put("attention_mask", attention);
            tensors.put("position_ids", CausalPositions.fromAttentionMask(attention));
            NDArray logits = model.forward(new Batch(tensors), false).logits();
            NDArray last = logits.get(new NDIndex(":, -1")).toType(DataType.FLOAT32, false);
            float[] flat = last.toFloatArray();
            int vocab = Math.toIntExact(last.getShape().get(1));
            float[][] rows = new float[batch][];
            for (int b = 0; b < batch; b++) {
                rows[b] = Arrays.copyOfRange(flat, b * vocab, (b + 1) * vocab);
            }
            return rows;
        }
    }

    /** What finished rows are extended with (never read back): pad_token_id, else an eos id, else 0. */
    private static long fillerToken(HfConfig config, long[] eos) {
        if (config.has("pad_token_id")) {
            return config.getLong("pad_token_id", 0);
        }
        return eos.length > 0 ? eos[0] : 0;
    }

    /** Index of the largest value; the first one on ties, as torch.argmax. */
    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private static float runnerUp(float[] values, int best) {
        float second = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < values.length; i++) {
            if (i != best && values[i] > second) {
                second = values[i];
            }
        }
        return second;
    }

    private static boolean contains(long[] values, long value) {
        for (long v : values) {
            if (v == value) {
                return true;
            }
        }
        return false;
    }

    private static boolean allTrue(boolean[] flags) {
        for (boolean f : flags) {
            if (!f) {
                return false;
            }
        }
        return true;
    }

    private static long[] filled(int length, long value) {
        long[] out = new long[length];
        Arrays.fill(out, value);
        return out;
    }

    private static List<Long> toList(long[] values) {
        List<Long> out = new ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }
}
