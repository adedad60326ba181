package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Batched greedy generation over left-padded prompts continues each prompt as it would alone. */
class GreedyGenerationTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2/GPT2LMHeadModel", "llama/LlamaForCausalLM"})
    void leftPaddedBatchContinuesEachPromptAsAlone(String fixture) throws IOException {
        Path dir = HfReference.generatedDir().resolve(fixture);
        try (TransformerModel model = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM)) {
            long[] eos = GreedyGeneration.eosTokenIds(model.config());
            long[] longer = {271, 424, 974, 303, 260};
            long[] shorter = {717, 287};
            long pad = 0;
            long[][] ids = {longer, {pad, pad, pad, shorter[0], shorter[1]}};
            long[][] mask = {{1, 1, 1, 1, 1}, {0, 0, 0, 1, 1}};
            List<GreedyGeneration.Continuation> batched = GreedyGeneration.generate(model, ids, mask, 6, eos);
            assertArrayEquals(GreedyGeneration.generate(model, longer, 6, eos).ids(), batched.get(0).ids());
            assertArrayEquals(GreedyGeneration.generate(model, shorter, 6, eos).ids(), batched.get(1).ids());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2/GPT2ForSequenceClassification"})
    void refusesModelsWithoutALanguageModelHead(String fixture) throws IOException {
        Path dir = HfReference.generatedDir().resolve(fixture);
        try (TransformerModel model = CausalFixtures.loadStrict(dir, HeadType.SEQUENCE_CLASSIFICATION)) {
            assertThrows(IllegalArgumentException.class, () -> GreedyGeneration.generate(model, new long[] {1, 2}, 2));
        }
    }
}
