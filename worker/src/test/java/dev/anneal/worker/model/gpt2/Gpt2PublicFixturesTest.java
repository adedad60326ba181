package dev.anneal.worker.model.gpt2;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Third-party GPT-2 checkpoints (read in place from ../shared, never copied; skipped when absent) against
 * what transformers 5.18 computed for them (reference_outputs.json, dropout forced to 0): logits, hidden
 * states, loss, greedy continuation and one SGD step.
 */
class Gpt2PublicFixturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static Stream<String> models() {
        return Stream.of("gpt2-trustyai-GPT2Model", "gpt2-lmbuddy-fake_gpt2");
    }

    /** Both checkpoints load as GPT2LMHeadModel (the trustyai one is a bare GPT2Model: lm_head ties to wte). */
    @ParameterizedTest
    @MethodSource("models")
    void lmHeadModelMatchesTransformers(String name) throws IOException {
        Path dir = CausalFixtures.publicDir(name);
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        HfConfig config = CausalFixtures.withoutDropout(dir, ref);
        long[] ids = CausalFixtures.longs(ref.get("input_ids"));
        try (TransformerModel model = CausalFixtures.loadStrict(dir, config, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals("transformer.wte.weight", model.tiedParameters().get("lm_head.weight"));
            assertEquals(ref.get("param_count").asLong(), model.namedParameters().values().stream()
                    .mapToLong(p -> p.getArray().size()).sum(), "parameter count (tied counted once)");
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
    void bareGpt2ModelMatchesTransformersHiddenStates() throws IOException {
        Path dir = CausalFixtures.publicDir("gpt2-trustyai-GPT2Model");
        JsonNode ref = JSON.readTree(dir.resolve("reference_outputs.json").toFile());
        try (TransformerModel model = CausalFixtures.loadStrict(dir, CausalFixtures.withoutDropout(dir, ref), HeadType.BASE);
                NDManager manager = NDManager.newBaseManager()) {
            assertEquals("GPT2Model", model.architecture());
            long[] ids = CausalFixtures.longs(ref.get("input_ids"));
            NDArray hidden = model.forward(new Batch(CausalFixtures.singleRow(manager, ids, false)), false).get("last_hidden_state");
            CausalFixtures.assertSummary("last_hidden_state", ref.get("gpt2model_last_hidden_state"), hidden);
        }
    }
}
