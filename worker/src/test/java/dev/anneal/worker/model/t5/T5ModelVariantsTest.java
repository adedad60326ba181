package dev.anneal.worker.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.seq2seq.Seq2SeqFixtures;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** T5Model (no head), gated feed-forward configs, fresh init and the errors of bad configs and batches. */
class T5ModelVariantsTest {
    private static Path dir() {
        return HfReference.generatedDir().resolve("t5/T5ForConditionalGeneration");
    }

    @Test
    void bareT5ModelLoadsTheGenerationCheckpointAndGivesItsEncoderStates() throws IOException {
        HfReference reference = HfReference.read(dir());
        JsonNode pairs = reference.cases().get(0);
        try (TransformerModel base = Seq2SeqFixtures.load(dir(), HeadType.BASE);
                TransformerModel lm = Seq2SeqFixtures.load(dir(), HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals("T5Model", base.architecture());
            assertFalse(base.namedParameters().containsKey("lm_head.weight"));
            Map<String, NDArray> inputs = new LinkedHashMap<>(HfReference.batch(pairs, manager, false));
            inputs.put("decoder_input_ids", manager.create(Seq2SeqFixtures.longArray(pairs.get("decoder_input_ids").get(2))).reshape(1, -1).repeat(0, 3));
            ModelOutput out = base.forward(new Batch(inputs), false);
            HfReference.assertClose("T5Model encoder_last_hidden_state", pairs.get("outputs").get("encoder_last_hidden_state"),
                    out.get("encoder_last_hidden_state"));
            // The LM head is the shared embedding applied to the scaled decoder state.
            NDArray logits = lm.forward(new Batch(inputs), false).logits();
            NDArray shared = base.namedParameters().get("shared.weight").getArray();
            NDArray projected = out.get("last_hidden_state").mul((float) Math.pow(32, -0.5)).matMul(shared.transpose());
            assertTrue(projected.allClose(logits, 1e-5, 1e-5, false), "T5Model decoder state x shared^T = logits");
        }
    }

    @Test
    void gatedGeluConfigHasTwoInputProjectionsAndRuns() {
        HfConfig config = tinyConfig().set("feed_forward_proj", "gated-gelu");
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            assertTrue(model.parameterSpecs().containsKey("encoder.block.0.layer.1.DenseReluDense.wi_0.weight"));
            assertTrue(model.parameterSpecs().containsKey("decoder.block.0.layer.2.DenseReluDense.wi_1.weight"));
            assertFalse(model.parameterSpecs().containsKey("encoder.block.0.layer.1.DenseReluDense.wi.weight"));
            model.initializeMissingParameters(7);
            Map<String, NDArray> inputs = Map.of(
                    "input_ids", manager.create(new long[] {5, 6, 7, 1}).reshape(1, 4),
                    "labels", manager.create(new long[] {8, 9, 1}).reshape(1, 3));
            ModelOutput out = model.forward(new Batch(inputs), false);
            assertEquals(List.of(1L, 3L, 50L), java.util.Arrays.stream(out.logits().getShape().getShape()).boxed().toList());
            assertTrue(Float.isFinite(out.loss().getFloat()));
        }
    }

    @Test
    void freshInitFollowsT5FanInScaling() {
        HfConfig config = tinyConfig().set("tie_word_embeddings", false);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM)) {
            model.initializeMissingParameters(3);
            assertEquals(std(model, "shared.weight"), 1.0, 0.1);
            assertEquals(std(model, "lm_head.weight"), 1.0, 0.1);
            assertEquals(std(model, "encoder.block.0.layer.0.SelfAttention.q.weight"), Math.pow(16 * 8, -0.5), 0.02);
            assertEquals(std(model, "encoder.block.0.layer.1.DenseReluDense.wo.weight"), Math.pow(32, -0.5), 0.03);
            assertEquals(1.0, model.namedParameters().get("encoder.final_layer_norm.weight").getArray().mean().getFloat());
        }
    }

    @Test
    void badConfigsAndBatchesFailWithClearErrors() {
        IllegalArgumentException proj = assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.create(tinyConfig().set("feed_forward_proj", "double-gated-gelu"), HeadType.SEQ2SEQ_LM));
        assertTrue(proj.getMessage().contains("feed_forward_proj"), proj.getMessage());
        RunFailure head = assertThrows(RunFailure.class,
                () -> ModelFamilies.requireSupported("t5", HeadType.SEQUENCE_CLASSIFICATION));
        assertTrue(head.getMessage().contains("SEQ2SEQ_LM"), head.getMessage());
        try (TransformerModel model = ModelFamilies.create(tinyConfig(), HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            model.initializeMissingParameters(1);
            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(new Batch(Map.of("input_ids", manager.create(new long[] {5, 1}).reshape(1, 2))), false));
            assertTrue(batch.getMessage().contains("decoder_input_ids or labels"), batch.getMessage());
        }
    }

    private static double std(TransformerModel model, String name) {
        NDArray a = model.namedParameters().get(name).getArray();
        return Math.sqrt(a.sub(a.mean()).square().mean().getFloat());
    }

    private static HfConfig tinyConfig() {
        return HfConfig.parse("{\"model_type\":\"t5\",\"vocab_size\":50,\"d_model\":16,\"d_kv\":8,\"d_ff\":32,"
                + "\"num_layers\":2,\"num_heads\":2,\"relative_attention_num_buckets\":8,\"dropout_rate\":0.0}");
    }
}
