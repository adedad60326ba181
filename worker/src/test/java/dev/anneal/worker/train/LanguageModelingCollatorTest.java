package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Masked-LM masking: 15 % of non-special tokens, 80/10/10, deterministic under a seed. */
class LanguageModelingCollatorTest {
    private static final long MASK = 4;
    private static final Set<Long> SPECIAL = Set.of(0L, 1L, 2L, 3L, 4L);

    private static CollatorSettings settings(long seed) {
        return new CollatorSettings(0, "right", SPECIAL, MASK, 1000, 0, seed);
    }

    @Test
    void masksFifteenPercentOfOrdinaryTokensEightyTenTen() {
        int n = 200_000;
        long[] ids = new long[n];
        for (int i = 0; i < n; i++) {
            // Every tenth position is special ([CLS]=2, [SEP]=3, [PAD]=0 in turn).
            ids[i] = i % 10 == 0 ? (i / 10) % 3 == 0 ? 0 : 2 + (i / 10) % 2 : 10 + (i * 7919L) % 990;
        }
        long[][] masked = new LanguageModelingCollator(settings(7)).mask(ids);
        long ordinary = 0;
        long selected = 0;
        long toMask = 0;
        long kept = 0;
        for (int i = 0; i < n; i++) {
            boolean special = SPECIAL.contains(ids[i]);
            if (special) {
                assertEquals(-100, masked[1][i], "special tokens are never selected");
                assertEquals(ids[i], masked[0][i]);
                continue;
            }
            ordinary++;
            if (masked[1][i] == -100) {
                assertEquals(ids[i], masked[0][i], "unselected tokens are unchanged");
                continue;
            }
            selected++;
            assertEquals(ids[i], masked[1][i], "labels hold the original id");
            if (masked[0][i] == MASK) {
                toMask++;
            } else if (masked[0][i] == ids[i]) {
                kept++;
            }
            assertTrue(masked[0][i] >= 0 && masked[0][i] < 1000);
        }
        double rate = (double) selected / ordinary;
        assertEquals(0.15, rate, 0.004, "selection rate");
        assertEquals(0.8, (double) toMask / selected, 0.01, "mask share");
        // Kept = the 10 % left alone, plus the few random draws that hit the same id (1/1000 of 10 %).
        assertEquals(0.1, (double) kept / selected, 0.008, "keep share");
        assertEquals(0.1, (double) (selected - toMask - kept) / selected, 0.008, "random share");
    }

    @Test
    void sameSeedSameMasksOtherSeedOtherMasks() {
        long[] ids = new long[5000];
        Arrays.setAll(ids, i -> 10 + i % 900);
        long[][] a = new LanguageModelingCollator(settings(42)).mask(ids);
        long[][] b = new LanguageModelingCollator(settings(42)).mask(ids);
        long[][] c = new LanguageModelingCollator(settings(43)).mask(ids);
        assertArrayEquals(a[0], b[0]);
        assertArrayEquals(a[1], b[1]);
        assertFalse(Arrays.equals(a[1], c[1]));
    }

    @Test
    void collatesPaddedBatchesWithoutMaskingPadding() {
        List<Feature> rows = List.of(
                new Feature(java.util.Map.of("input_ids", new long[] {2, 11, 12, 13, 3},
                        "attention_mask", new long[] {1, 1, 1, 1, 1}, "special_tokens_mask", new long[] {1, 0, 0, 0, 1}),
                        java.util.Map.of()),
                new Feature(java.util.Map.of("input_ids", new long[] {2, 14, 3},
                        "attention_mask", new long[] {1, 1, 1}, "special_tokens_mask", new long[] {1, 0, 1}),
                        java.util.Map.of()));
        try (NDManager manager = NDManager.newBaseManager()) {
            LanguageModelingCollator collator = new LanguageModelingCollator(settings(1));
            for (int round = 0; round < 50; round++) {
                Batch batch = collator.collate(rows, manager);
                assertEquals(Set.of("input_ids", "attention_mask", "labels"), batch.tensors().keySet());
                long[] labels = batch.get("labels").toLongArray();
                long[] mask = batch.get("attention_mask").toLongArray();
                assertArrayEquals(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, mask);
                for (int i : new int[] {0, 4, 5, 7, 8, 9}) {
                    assertEquals(-100, labels[i], "special or padding position " + i);
                }
            }
        }
    }

    /**
     * The masked-LM trace's recorded batches follow the same rules on txtai's rows: only ordinary tokens are
     * selected, labels are the original ids, unselected positions are unchanged; and our settings for that
     * tokenizer treat exactly [PAD], [UNK], [CLS], [SEP] and [MASK] as special.
     */
    @Test
    void theMaskedLmTraceFollowsTheseRules() {
        JsonNode trace = TraceBatches.trace("language-modeling");
        try (TextTokenizer tokenizer = TraceBatches.tokenizer("bert/BertForMaskedLM")) {
            CollatorSettings settings = CollatorSettings.of(tokenizer, TraceBatches.config("bert/BertForMaskedLM"), 42);
            assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), settings.specialTokenIds());
            assertEquals(4L, settings.maskTokenId());
            assertEquals(1000, settings.vocabSize());
            long selected = 0;
            long ordinary = 0;
            for (JsonNode microBatch : trace.path("micro_batches")) {
                List<Feature> rows = TraceBatches.rows(trace, microBatch);
                long[] inputs = TraceBatches.flat(microBatch.path("batch").path("input_ids"));
                long[] labels = TraceBatches.flat(microBatch.path("batch").path("labels"));
                long[] original = rows.stream().flatMapToLong(f -> Arrays.stream(f.ids())).toArray();
                for (int i = 0; i < original.length; i++) {
                    if (settings.specialTokenIds().contains(original[i])) {
                        assertEquals(-100, labels[i]);
                        continue;
                    }
                    ordinary++;
                    if (labels[i] == -100) {
                        assertEquals(original[i], inputs[i]);
                    } else {
                        selected++;
                        assertEquals(original[i], labels[i]);
                    }
                }
            }
            assertTrue(selected > 0 && selected < ordinary / 4, selected + " of " + ordinary);
        }
    }
}
