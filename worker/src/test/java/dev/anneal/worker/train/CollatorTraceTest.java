package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.LanguageGenerationTask;
import dev.anneal.worker.task.SequenceSequenceTask;
import dev.anneal.worker.task.TextMerge;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The collators rebuild, from txtai's processed rows, exactly the batches Hugging Face's collators fed the
 * model in the traces (sequence-sequence: DataCollatorForSeq2Seq; language-generation:
 * DataCollatorForLanguageModeling(mlm=False)).
 */
class CollatorTraceTest {
    @Test
    void seq2seqBatchesMatchTheT5Trace() {
        assertTrace("sequence-sequence", "t5/T5ForConditionalGeneration",
                settings -> new SequenceSequenceTask("").collator(settings));
    }

    @Test
    void causalLanguageModelingBatchesMatchTheGpt2Trace() {
        assertTrace("language-generation", "gpt2/GPT2LMHeadModel",
                settings -> new LanguageGenerationTask(TextMerge.CONCAT).collator(settings));
    }

    private static void assertTrace(String name, String model,
            java.util.function.Function<CollatorSettings, Collator> factory) {
        JsonNode trace = TraceBatches.trace(name);
        try (TextTokenizer tokenizer = TraceBatches.tokenizer(model);
                NDManager manager = NDManager.newBaseManager()) {
            Collator collator = factory.apply(CollatorSettings.of(tokenizer, TraceBatches.config(model), 42));
            int batches = 0;
            for (JsonNode microBatch : trace.path("micro_batches")) {
                JsonNode expected = microBatch.path("batch");
                try (NDManager scope = manager.newSubManager()) {
                    Batch batch = collator.collate(TraceBatches.rows(trace, microBatch), scope);
                    Set<String> names = new TreeSet<>();
                    for (Iterator<String> it = expected.fieldNames(); it.hasNext(); ) {
                        names.add(it.next());
                    }
                    assertEquals(names, new TreeSet<>(batch.tensors().keySet()), name + " batch columns");
                    for (String column : names) {
                        long[] want = TraceBatches.flat(expected.path(column));
                        assertArrayEquals(want, batch.get(column).toLongArray(),
                                name + " micro-batch " + microBatch.path("index") + " " + column);
                        assertEquals(expected.path(column).size(), batch.get(column).getShape().get(0));
                    }
                }
                batches++;
            }
            assertEquals(trace.path("micro_batches").size(), batches);
        }
    }

    @Test
    void causalLabelsIgnoreEveryPadPositionOnEitherSide() {
        CollatorSettings right = new CollatorSettings(0, "right", Set.of(0L), null, 1000, 0, 1);
        CollatorSettings left = new CollatorSettings(0, "left", Set.of(0L), null, 1000, 0, 1);
        List<dev.anneal.worker.task.Feature> rows = List.of(
                new dev.anneal.worker.task.Feature(java.util.Map.of("input_ids", new long[] {5, 6, 7},
                        "attention_mask", new long[] {1, 1, 1}), java.util.Map.of()),
                new dev.anneal.worker.task.Feature(java.util.Map.of("input_ids", new long[] {8},
                        "attention_mask", new long[] {1}), java.util.Map.of()));
        try (NDManager manager = NDManager.newBaseManager()) {
            Batch batch = new CausalLanguageModelingCollator(right).collate(rows, manager);
            assertArrayEquals(new long[] {5, 6, 7, 8, 0, 0}, batch.get("input_ids").toLongArray());
            assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0}, batch.get("attention_mask").toLongArray());
            assertArrayEquals(new long[] {5, 6, 7, 8, -100, -100}, batch.get("labels").toLongArray());
            batch = new CausalLanguageModelingCollator(left).collate(rows, manager);
            assertArrayEquals(new long[] {5, 6, 7, 0, 0, 8}, batch.get("input_ids").toLongArray());
            assertArrayEquals(new long[] {5, 6, 7, -100, -100, 8}, batch.get("labels").toLongArray());
        }
    }
}
