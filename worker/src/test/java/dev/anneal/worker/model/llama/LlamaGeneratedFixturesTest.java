package dev.anneal.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.causal.CausalFixtures;
import dev.anneal.worker.model.causal.CausalPositions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every generated Llama checkpoint against the outputs genuine transformers computed for it. */
class LlamaGeneratedFixturesTest {
    private static final Path LM = HfReference.generatedDir().resolve("llama/LlamaForCausalLM");

    static Stream<Path> models() throws IOException {
        return HfReference.generatedModels("llama");
    }

    static HeadType headOf(String modelClass) {
        return LlamaFamily.ARCHITECTURES.entrySet().stream()
                .filter(e -> e.getValue().equals(modelClass))
                .map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no Llama head for " + modelClass));
    }

    @ParameterizedTest
    @MethodSource("models")
    void reproducesTransformersOutputsParametersAndGreedyIds(Path dir) throws IOException {
        HfReference reference = HfReference.read(dir);
        try (TransformerModel model = CausalFixtures.loadStrict(dir, headOf(reference.modelClass()))) {
            assertEquals(reference.modelClass(), model.architecture());
            reference.assertParameterStatistics(model);
            CausalFixtures.assertCases(reference, model);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void savesTransformersNamesAndReloadsToTheSameOutputs(Path dir, @TempDir Path out) throws IOException {
        HfReference reference = HfReference.read(dir);
        HeadType head = headOf(reference.modelClass());
        Path saved;
        try (TransformerModel model = CausalFixtures.loadStrict(dir, head)) {
            saved = CausalFixtures.saveAndCheckLayout(model, reference, out);
        }
        try (TransformerModel reloaded = CausalFixtures.loadStrict(saved, head)) {
            reference.assertParameterStatistics(reloaded);
            CausalFixtures.assertCases(reference, reloaded);
        }
    }

    /**
     * Left padding, as the Llama tokenizer pads: with position ids derived from the attention mask (what
     * generate passes) every real position of a left-padded row has the logits of that row run alone.
     */
    @Test
    void leftPaddedRowsMatchTheirUnpaddedLogits() throws IOException {
        long[] longer = {1, 339, 480, 328, 350, 370};
        long[] shorter = {1, 777, 354};
        long pad = 2;
        try (TransformerModel model = CausalFixtures.loadStrict(LM, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray ids = manager.create(new long[] {1, 339, 480, 328, 350, 370, pad, pad, pad, 1, 777, 354}, new Shape(2, 6));
            NDArray mask = manager.create(new long[] {1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1, 1}, new Shape(2, 6));
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("input_ids", ids);
            tensors.put("attention_mask", mask);
            tensors.put("position_ids", CausalPositions.fromAttentionMask(mask));
            NDArray batched = model.forward(new Batch(tensors), false).logits();
            NDArray aloneLonger = model.forward(new Batch(CausalFixtures.singleRow(manager, longer, false)), false).logits();
            NDArray aloneShorter = model.forward(new Batch(CausalFixtures.singleRow(manager, shorter, false)), false).logits();
            assertEquals(0, batched.get(0).sub(aloneLonger.get(0)).abs().max().getFloat(), 1e-5);
            assertEquals(0, batched.get(new NDIndex("1, 3:")).sub(aloneShorter.get(0)).abs().max().getFloat(), 1e-5);
        }
    }

    /** LlamaModel from the LM checkpoint: the stored lm_head is reported unused and logits = last_hidden_state lm_head^T. */
    @Test
    void baseModelFromTheLmCheckpointGivesTheHiddenStatesOfTheLmHead() throws IOException {
        JsonNode texts = HfReference.read(LM).cases().get(0);
        try (TransformerModel base = ModelFamilies.create(HfConfig.read(LM), HeadType.BASE);
                TransformerModel lm = CausalFixtures.loadStrict(LM, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(LM, base, LoadOptions.strict());
            assertEquals(List.of("lm_head.weight"), report.unexpected());
            assertEquals("LlamaModel", base.architecture());
            Map<String, NDArray> inputs = HfReference.batch(texts, manager, false);
            NDArray hidden = base.forward(new Batch(inputs), false).get("last_hidden_state");
            NDArray head = lm.namedParameters().get("lm_head.weight").getArray();
            NDArray logits = lm.forward(new Batch(inputs), false).logits();
            assertEquals(0, hidden.matMul(head.transpose()).sub(logits).abs().max().getFloat(), 1e-5);
        }
    }

    /**
     * LlamaForSequenceClassification (no transformers fixture exists for it): built on the LM checkpoint
     * with a seeded score; each right-padded row scores its last real token, exactly as the row alone,
     * and the saved model carries transformers' names.
     */
    @Test
    void sequenceClassifierScoresTheLastNonPadToken(@TempDir Path out) throws IOException {
        HfConfig config = HfConfig.read(LM).set("num_labels", 3).set("pad_token_id", 0);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(LM, model, LoadOptions.initializeMissing(11));
            assertEquals(List.of("score.weight"), report.initialized());
            assertEquals(List.of("lm_head.weight"), report.unexpected());
            long[] first = {1, 339, 480, 328, 350};
            long[] second = {1, 777, 354};
            NDArray ids = manager.create(new long[] {1, 339, 480, 328, 350, 1, 777, 354, 0, 0}, new Shape(2, 5));
            NDArray mask = manager.create(new long[] {1, 1, 1, 1, 1, 1, 1, 1, 0, 0}, new Shape(2, 5));
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("input_ids", ids);
            tensors.put("attention_mask", mask);
            tensors.put("labels", manager.create(new long[] {2, 0}));
            var output = model.forward(new Batch(tensors), false);
            NDArray logits = output.logits();
            assertEquals(new Shape(2, 3), logits.getShape());
            NDArray firstAlone = model.forward(new Batch(CausalFixtures.singleRow(manager, first, false)), false).logits();
            NDArray secondAlone = model.forward(new Batch(CausalFixtures.singleRow(manager, second, false)), false).logits();
            assertEquals(0, logits.get(0).sub(firstAlone.get(0)).abs().max().getFloat(), 1e-5);
            assertEquals(0, logits.get(1).sub(secondAlone.get(0)).abs().max().getFloat(), 1e-5);
            // single-label cross entropy over the two rows, by hand
            float[] l = logits.logSoftmax(1).toFloatArray();
            double expectedLoss = -(l[2] + l[3]) / 2;
            assertEquals(expectedLoss, output.loss().getFloat(), 1e-6);

            HfCheckpoint.save(model, out.resolve("classifier"));
        }
        HfConfig saved = HfConfig.read(out.resolve("classifier"));
        assertEquals("LlamaForSequenceClassification", saved.getNode("architectures").get(0).asText());
        try (TransformerModel reloaded = CausalFixtures.loadStrict(out.resolve("classifier"), saved, HeadType.SEQUENCE_CLASSIFICATION)) {
            assertTrue(reloaded.namedParameters().containsKey("score.weight"));
            assertTrue(reloaded.namedParameters().keySet().stream().filter(n -> !n.equals("score.weight")).allMatch(n -> n.startsWith("model.")));
        }
    }

    /** attention_bias / mlp_bias add transformers' bias tensors; tie_word_embeddings makes lm_head share embed_tokens. */
    @Test
    void biasFlagsAndTiedEmbeddingsFollowTheConfig() throws IOException {
        HfConfig biased = HfConfig.read(LM).set("attention_bias", true).set("mlp_bias", true);
        try (TransformerModel model = ModelFamilies.create(biased, HeadType.CAUSAL_LM)) {
            Map<String, ai.djl.nn.Parameter> params = model.namedParameters();
            for (String name : List.of("q_proj", "k_proj", "v_proj", "o_proj")) {
                assertTrue(params.containsKey("model.layers.1.self_attn." + name + ".bias"), name);
            }
            assertEquals(new Shape(16), model.parameterSpecs().get("model.layers.0.self_attn.k_proj.bias").shape());
            for (String name : List.of("gate_proj", "up_proj", "down_proj")) {
                assertTrue(params.containsKey("model.layers.0.mlp." + name + ".bias"), name);
            }
        }
        HfConfig tied = HfConfig.read(LM).set("tie_word_embeddings", true);
        try (TransformerModel model = ModelFamilies.create(tied, HeadType.CAUSAL_LM)) {
            assertEquals(Map.of("lm_head.weight", "model.embed_tokens.weight"), model.tiedParameters());
            LoadReport report = HfCheckpoint.load(LM, model, LoadOptions.strict());
            assertEquals(List.of("lm_head.weight"), report.ignored());
        }
    }

    @Test
    void refusesScaledRopeAndBadHeadCounts() throws IOException {
        HfConfig scaled = HfConfig.read(LM).set("rope_parameters", Map.of("rope_type", "llama3", "rope_theta", 500000.0));
        IllegalArgumentException rope = assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.create(scaled, HeadType.CAUSAL_LM));
        assertTrue(rope.getMessage().contains("rope_type 'llama3'"), rope.getMessage());
        HfConfig heads = HfConfig.read(LM).set("num_key_value_heads", 3);
        IllegalArgumentException gqa = assertThrows(IllegalArgumentException.class,
                () -> ModelFamilies.create(heads, HeadType.CAUSAL_LM));
        assertTrue(gqa.getMessage().contains("num_key_value_heads 3"), gqa.getMessage());
    }
}
