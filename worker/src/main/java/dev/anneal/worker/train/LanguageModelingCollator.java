package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Hugging Face's {@code DataCollatorForLanguageModeling(mlm=True)} for language-modeling and token-detection:
 * pads the batch, selects 15 % of the positions that are not special tokens (padding included), and of
 * those replaces 80 % with the mask token, 10 % with a random token and keeps 10 %; {@code labels} hold the
 * original id at selected positions and -100 elsewhere. In training, each batch's draws come from the seed and
 * the batch's number in the run, so a resumed run masks its remaining batches as the uninterrupted run would.
 */
public final class LanguageModelingCollator implements Collator {
    public static final double MLM_PROBABILITY = 0.15;
    public static final double MASK_REPLACE_PROBABILITY = 0.8;
    public static final double RANDOM_REPLACE_PROBABILITY = 0.1;

    private final long padTokenId;
    private final boolean padLeft;
    private final Set<Long> specialTokenIds;
    private final long maskTokenId;
    private final long vocabSize;
    /** Spreads the per-batch seeds apart (an odd constant, so no two batches of a run share a seed). */
    private static final long BATCH_SEED_STRIDE = 0x632BE59BD9B4E019L;

    private final long seed;
    private final SplittableRandom random;

    public LanguageModelingCollator(CollatorSettings settings) {
        if (settings.maskTokenId() == null) {
            throw new IllegalArgumentException("masked language modeling needs a tokenizer with a mask token");
        }
        if (settings.vocabSize() <= 0) {
            throw new IllegalArgumentException("masked language modeling needs the vocabulary size");
        }
        this.padTokenId = settings.padTokenId();
        this.padLeft = "left".equals(settings.paddingSide());
        this.specialTokenIds = settings.specialTokenIds();
        this.maskTokenId = settings.maskTokenId();
        this.vocabSize = settings.vocabSize();
        this.seed = settings.seed();
        this.random = new SplittableRandom(settings.seed());
    }

    /** Masks with the collator's running generator (evaluation, direct use). */
    @Override
    public Batch collate(List<Feature> features, NDManager manager) {
        return collate(features, manager, this::mask);
    }

    /** Masks with a generator derived from the seed and the batch's number in the run. */
    @Override
    public Batch collate(List<Feature> features, NDManager manager, long batchIndex) {
        SplittableRandom batchRandom = new SplittableRandom(seed + BATCH_SEED_STRIDE * (batchIndex + 1));
        return collate(features, manager, ids -> mask(ids, batchRandom));
    }

    private Batch collate(List<Feature> features, NDManager manager, Function<long[], long[][]> masking) {
        int length = Padding.longest(features, "input_ids");
        int rows = features.size();
        long[][] masked = masking.apply(Padding.padded(features, "input_ids", length, padTokenId, padLeft));
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("input_ids", Padding.matrix(masked[0], rows, length, manager));
        tensors.put("attention_mask", Padding.matrix(
                Padding.padded(features, "attention_mask", length, 0, padLeft), rows, length, manager));
        if (features.get(0).longs().containsKey("token_type_ids")) {
            tensors.put("token_type_ids", Padding.matrix(
                    Padding.padded(features, "token_type_ids", length, 0, padLeft), rows, length, manager));
        }
        tensors.put("labels", Padding.matrix(masked[1], rows, length, manager));
        return new Batch(tensors);
    }

    /**
     * Masks padded ids in place of a copy: returns {masked input ids, labels}. Each position is drawn in
     * order: selected with probability 0.15 unless special; a selected one becomes the mask token with
     * probability 0.8, else a random id with probability 0.5 (0.1 overall), else stays.
     */
    public synchronized long[][] mask(long[] ids) {
        return mask(ids, random);
    }

    private long[][] mask(long[] ids, SplittableRandom random) {
        long[] inputs = ids.clone();
        long[] labels = new long[ids.length];
        double randomShare = RANDOM_REPLACE_PROBABILITY / (1 - MASK_REPLACE_PROBABILITY);
        for (int i = 0; i < ids.length; i++) {
            boolean selected = !specialTokenIds.contains(ids[i]) && random.nextDouble() < MLM_PROBABILITY;
            if (!selected) {
                labels[i] = -100;
                continue;
            }
            labels[i] = ids[i];
            if (random.nextDouble() < MASK_REPLACE_PROBABILITY) {
                inputs[i] = maskTokenId;
            } else if (random.nextDouble() < randomShare) {
                inputs[i] = random.nextLong(vocabSize);
            }
        }
        return new long[][] {inputs, labels};
    }
}
