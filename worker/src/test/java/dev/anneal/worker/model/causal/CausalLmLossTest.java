package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shifted causal LM loss with and without num_items_in_batch, and the other decoder-only helpers. */
class CausalLmLossTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void meanWithoutCountAndSumOverCountWithIt() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.randomNormal(new Shape(2, 4, 5));
            NDArray labels = manager.create(new long[] {3, 1, 4, -100, 2, -100, 0, 1}, new Shape(2, 4));
            // predicted positions: row 0 -> labels 1, 4 (then -100); row 1 -> -100, 0, 1: four counted labels
            float[] logProbs = logits.logSoftmax(2).toFloatArray();
            double sum = -(logProbs[0 * 5 + 1] + logProbs[1 * 5 + 4] + logProbs[(4 + 1) * 5 + 0] + logProbs[(4 + 2) * 5 + 1]);
            assertEquals(sum / 4, CausalLmLoss.compute(logits, labels, null).getFloat(), 1e-5);
            assertEquals(sum / 10, CausalLmLoss.compute(logits, labels, manager.create(10L)).getFloat(), 1e-5);
            NDArray ignored = manager.full(new Shape(2, 4), -100, ai.djl.ndarray.types.DataType.INT64);
            // torch's mean over no labels is NaN; Anneal gives 0 (and zero gradients, see HfLossesTest).
            assertEquals(0f, CausalLmLoss.compute(logits, ignored, null).getFloat(), 0f);
            assertEquals(0f, CausalLmLoss.compute(logits, ignored, manager.create(7L)).getFloat(), 0f);
        }
    }

    /** The first micro-batch of txtai's language-generation trace: transformers' model loss with num_items_in_batch. */
    @Test
    void reproducesTheTraceMicroBatchLossWithNumItemsInBatch() throws IOException {
        Path traces = HfReference.generatedDir().resolveSibling("traces").resolve("language-generation");
        JsonNode trace = JSON.readTree(traces.resolve("trace.json").toFile());
        JsonNode micro = trace.get("micro_batches").get(0);
        Path weights = HfReference.generatedDir().resolve("gpt2/GPT2LMHeadModel");
        HfConfig config = HfConfig.read(traces.resolve("config_used.json"));
        try (TransformerModel model = CausalFixtures.loadStrict(weights, config, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String key : List.of("input_ids", "attention_mask", "labels")) {
                tensors.put(key, matrix(manager, micro.get("batch").get(key)));
            }
            tensors.put(CausalLmLoss.NUM_ITEMS_IN_BATCH, manager.create(micro.get("num_items_in_batch").asLong()));
            NDArray loss = model.forward(new Batch(tensors), true).loss();
            double expected = micro.get("model_loss").asDouble();
            assertEquals(expected, loss.getFloat(), expected * 1e-5);
        }
    }

    @Test
    void positionsAndLastTokens() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray mask = manager.create(new long[] {0, 0, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            assertEquals(List.of(1L, 1L, 0L, 1L, 2L, 0L, 1L, 2L, 1L, 1L),
                    toList(CausalPositions.fromAttentionMask(mask).toLongArray()));
            NDArray ids = manager.create(new long[] {5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 9, 0}, new Shape(3, 5));
            assertEquals(List.of(2L, 0L, 3L), toList(LastTokenPooling.lastNonPadIndex(ids, 0).toLongArray()));
        }
    }

    private static NDArray matrix(NDManager manager, JsonNode rows) {
        int n = rows.size();
        int m = rows.get(0).size();
        long[] values = new long[n * m];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < m; j++) {
                values[i * m + j] = rows.get(i).get(j).asLong();
            }
        }
        return manager.create(values, new Shape(n, m));
    }

    private static List<Long> toList(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
