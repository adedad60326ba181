package dev.anneal.worker.model.gpt2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
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
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every generated GPT-2 checkpoint against the outputs genuine transformers computed for it. */
class Gpt2GeneratedFixturesTest {
    static Stream<Path> models() throws IOException {
        return HfReference.generatedModels("gpt2");
    }

    static HeadType headOf(String modelClass) {
        return Gpt2Family.ARCHITECTURES.entrySet().stream()
                .filter(e -> e.getValue().equals(modelClass))
                .map(Map.Entry::getKey)
                .findFirst().orElseThrow(() -> new AssertionError("no GPT-2 head for " + modelClass));
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

    /** GPT2Model from the LM checkpoint (prefix dropped, tied head not needed): logits = last_hidden_state wte^T. */
    @Test
    void baseModelFromTheLmCheckpointGivesTheHiddenStatesOfTheLmHead() throws IOException {
        Path dir = HfReference.generatedDir().resolve("gpt2/GPT2LMHeadModel");
        JsonNode texts = HfReference.read(dir).cases().get(0);
        try (TransformerModel base = CausalFixtures.loadStrict(dir, HeadType.BASE);
                TransformerModel lm = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals("GPT2Model", base.architecture());
            assertEquals("wte.weight", base.namedParameters().keySet().iterator().next());
            Map<String, NDArray> inputs = HfReference.batch(texts, manager, false);
            NDArray hidden = base.forward(new Batch(inputs), false).get("last_hidden_state");
            NDArray wte = base.namedParameters().get("wte.weight").getArray();
            NDArray viaBase = hidden.matMul(wte.transpose());
            NDArray logits = lm.forward(new Batch(inputs), false).logits();
            assertEquals(0, viaBase.sub(logits).abs().max().getFloat(), 1e-5);
        }
    }

    /** Without pad_token_id the classifier scores the last position, which transformers allows for one row only. */
    @Test
    void classifierWithoutPadTokenScoresTheLastPositionOfASingleRow() throws IOException {
        Path dir = HfReference.generatedDir().resolve("gpt2/GPT2ForSequenceClassification");
        HfConfig noPad = HfConfig.read(dir).remove("pad_token_id");
        JsonNode texts = HfReference.read(dir).cases().get(0);
        try (TransformerModel model = CausalFixtures.loadStrict(dir, noPad, HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel base = ModelFamilies.create(noPad, HeadType.BASE);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(List.of("score.weight"), HfCheckpoint.load(dir, base, LoadOptions.strict()).unexpected());
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(new Batch(HfReference.batch(texts, manager, false)), false));
            assertTrue(error.getMessage().contains("pad_token_id is not set"), error.getMessage());
            long[] row = {271, 424, 974};
            NDArray logits = model.forward(new Batch(CausalFixtures.singleRow(manager, row, false)), false).logits();
            NDArray hidden = base.forward(new Batch(CausalFixtures.singleRow(manager, row, false)), false).get("last_hidden_state");
            NDArray score = model.namedParameters().get("score.weight").getArray();
            NDArray expected = hidden.get(0).get(2).expandDims(0).matMul(score.transpose());
            assertEquals(0, logits.sub(expected).abs().max().getFloat(), 1e-5);
        }
    }

    @Test
    void refusesConfigsItCannotComputeFaithfully() throws IOException {
        Path dir = HfReference.generatedDir().resolve("gpt2/GPT2LMHeadModel");
        Map<String, Object> bad = Map.of("activation_function", "gelu_unknown", "add_cross_attention", true, "n_head", 3);
        Map<String, String> named = Map.of("activation_function", "config activation_function: unsupported activation 'gelu_unknown'",
                "add_cross_attention", "config add_cross_attention=true", "n_head", "n_embd 32 is not a multiple of n_head 3");
        for (Map.Entry<String, Object> e : bad.entrySet()) {
            HfConfig config = HfConfig.read(dir).set(e.getKey(), e.getValue());
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> ModelFamilies.create(config, HeadType.CAUSAL_LM));
            assertTrue(error.getMessage().contains(named.get(e.getKey())), error.getMessage());
        }
        try (TransformerModel model = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            long[] tooLong = new long[129];
            IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                    () -> model.forward(new Batch(CausalFixtures.singleRow(manager, tooLong, false)), false));
            assertTrue(error.getMessage().contains("exceeds n_positions 128"), error.getMessage());
        }
    }

    /** A sequence classifier made from the LM checkpoint gets a fresh score head and keeps the backbone. */
    @Test
    void classifierFromTheLmCheckpointInitialisesOnlyTheScore(@TempDir Path out) throws IOException {
        Path dir = HfReference.generatedDir().resolve("gpt2/GPT2LMHeadModel");
        HfConfig config = HfConfig.read(dir).set("num_labels", 3).set("pad_token_id", 0);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION)) {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.initializeMissing(7));
            assertEquals(List.of("score.weight"), report.initialized());
            assertEquals(List.of(), report.unexpected());
            NDArray score = model.namedParameters().get("score.weight").getArray();
            assertEquals(3, score.getShape().get(0));
            double std = Math.sqrt(score.square().mean().getFloat());
            assertEquals(0.2, std, 0.08, "score initialised from normal(0, initializer_range)");
            HfCheckpoint.save(model, out.resolve("classifier"));
        }
        HfConfig saved = HfConfig.read(out.resolve("classifier"));
        assertEquals("GPT2ForSequenceClassification", saved.getNode("architectures").get(0).asText());
    }
}
