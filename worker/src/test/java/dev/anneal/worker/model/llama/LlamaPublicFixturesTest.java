package dev.anneal.worker.model.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.causal.CausalFixtures;
import dev.anneal.worker.model.causal.GreedyGeneration;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The trained stories260K Llama (llama2.c weights converted by transformers 5.18; read in place from
 * ../shared, never copied; skipped when absent): transformers' logits, hidden states, losses and greedy
 * story continuations, and one SGD step.
 */
class LlamaPublicFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME = "llama-stories260K-pretrained";

    @Test
    void matchesTransformersForwardLossGreedyAndOneSgdStep() throws IOException {
        Path dir = CausalFixtures.publicDir(NAME);
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = CausalFixtures.withoutDropout(dir, ref);
        long[] ids = CausalFixtures.longs(ref.get("input_ids"));
        try (TransformerModel model = CausalFixtures.loadStrict(dir, config, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals(ref.get("param_count").asLong(), model.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().size()).sum(), "parameter count");
            Batch batch = new Batch(CausalFixtures.singleRow(manager, ids, true));
            ModelOutput output = model.forward(batch, false);
            CausalFixtures.assertLogitsSummary(ref.get("logits"), output.logits());
            CausalFixtures.assertRelative(ref.get("loss_mean_ce_labels_eq_input_ids(shifted_internally)").asDouble(),
                    output.loss(), 1e-5, "loss");

            long[] expected = CausalFixtures.longs(ref.get("greedy_generate_max_new_tokens_6"));
            GreedyGeneration.Continuation greedy = GreedyGeneration.generate(model, ids, expected.length - ids.length,
                    GreedyGeneration.eosTokenIds(config));
            assertArrayEquals(Arrays.copyOfRange(expected, ids.length, expected.length), greedy.ids(), "greedy continuation");

            CausalFixtures.assertSgdStep(model, batch, ref.get("finetune").get("sgd"));
        }
    }

    @Test
    void baseModelMatchesTransformersLastHiddenState() throws IOException {
        Path dir = CausalFixtures.publicDir(NAME);
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = CausalFixtures.withoutDropout(dir, ref);
        try (TransformerModel model = dev.anneal.worker.model.ModelFamilies.create(config, HeadType.BASE);
                NDManager manager = NDManager.newBaseManager()) {
            dev.anneal.worker.model.HfCheckpoint.load(dir, model, dev.anneal.worker.model.LoadOptions.strict());
            long[] ids = CausalFixtures.longs(ref.get("input_ids"));
            NDArray hidden = model.forward(new Batch(CausalFixtures.singleRow(manager, ids, false)), false).get("last_hidden_state");
            CausalFixtures.assertSummary("last_hidden_state", ref.get("hidden_states_last"), hidden);
        }
    }

    /** The trained model tells stories: the 40-token greedy continuations and the losses transformers computed. */
    @Test
    void reproducesTheStoryContinuationsAndLosses() throws IOException {
        Path dir = CausalFixtures.publicDir(NAME);
        JsonNode checks = JSON.readTree(dir.resolve("reference_outputs.json").toFile()).get("trained_model_checks");
        try (TransformerModel model = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            long[] eos = GreedyGeneration.eosTokenIds(model.config());
            for (Iterator<Map.Entry<String, JsonNode>> it = checks.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> check = it.next();
                String prompt = check.getKey();
                JsonNode expected = check.getValue();
                long[] ids = CausalFixtures.longs(expected.get("input_ids_with_bos"));
                ModelOutput output = model.forward(new Batch(CausalFixtures.singleRow(manager, ids, true)), false);
                if (expected.has("loss_mean_ce")) {
                    CausalFixtures.assertRelative(expected.get("loss_mean_ce").asDouble(), output.loss(), 1e-5, prompt + ": loss");
                    continue;
                }
                CausalFixtures.assertRelative(expected.get("loss_mean_ce_on_prompt").asDouble(), output.loss(), 1e-5,
                        prompt + ": loss");
                NDArray last = output.logits().get(0).get(ids.length - 1);
                assertEquals(expected.get("last_position_argmax").asLong(), last.argMax().getLong(), prompt + ": argmax");
                float[] first16 = last.get("0:16").toFloatArray();
                JsonNode want = expected.get("last_position_logits_first_16");
                for (int i = 0; i < 16; i++) {
                    double w = want.get(i).asDouble();
                    assertEquals(w, first16[i], 1e-5 + 1e-5 * Math.abs(w), prompt + ": last position logit " + i);
                }
                long[] story = CausalFixtures.longs(expected.get("greedy_40_ids"));
                GreedyGeneration.Continuation greedy = GreedyGeneration.generate(model, ids, story.length - ids.length, eos);
                assertArrayEquals(Arrays.copyOfRange(story, ids.length, story.length), greedy.ids(), prompt + ": greedy story");
            }
        }
    }
}
