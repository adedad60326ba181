package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.worker.model.HeadType;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * txtai's language-model trainer tests through the gateway's Train RPC, on txtai's own rows (the 400
 * dogs/cats texts; the label column is ignored): testMLM (masked LM) and testCLM (causal LM with merge
 * concat, pack and none at maxlength 16). txtai asserts only that a model came back; here the job also
 * succeeds with all its stages, saves a model that loads back, and evaluates perplexity on validation data.
 * Learning rate 1e-3 instead of 5e-5 so that the random-init fixtures' loss visibly falls in one or a few epochs.
 */
@QuarkusTest
class LanguageModelScenariosTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(LanguageModelScenariosTest.class);
    /** txtai's rows: 400 texts, one or two tokens each. */
    private static final int ROWS = 400;
    private static final int BATCH = 16;

    @Test
    void maskedLanguageModeling() throws IOException {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("bert/BertForMaskedLM").toString())
                .setTask(Task.LANGUAGE_MODELING)
                .setTrain(inline(TxtaiData.animals(100))).setValidation(inline(TxtaiData.animals(10)))
                .setMaxlength(16)
                .addMetrics("perplexity")
                .setArgs(TrainingArguments.newBuilder().setLearningRate(1e-3).setPerDeviceTrainBatchSize(BATCH)
                        .setLoggingSteps(3).setSeed(42))
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertEquals(Math.exp(job.metric("eval_loss")), job.metric("eval_perplexity"), 1e-6);
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.MASKED_LM)) {
            assertEquals("BertForMaskedLM", model.model().architecture());
        }
        LOG.infof("masked LM scenario: %.1f s wall, %d steps", job.wallSeconds(), job.maxSteps());
    }

    /**
     * concat joins all texts and cuts 16-token blocks, pack fills 16-token blocks with whole texts, none keeps
     * one row per text: 400 rows, 25 steps of 16; both merges make far fewer rows than that.
     */
    @ParameterizedTest(name = "merge {0}")
    @ValueSource(strings = {"concat", "pack", "none"})
    void causalLanguageModeling(String merge) throws IOException {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("gpt2/GPT2LMHeadModel").toString())
                .setTask(Task.LANGUAGE_GENERATION)
                .setMerge(merge)
                .setTrain(inline(TxtaiData.animals(100))).setValidation(inline(TxtaiData.animals(1)))
                .setMaxlength(16)
                .addMetrics("perplexity")
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(1).setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(BATCH).setLoggingSteps(1).setSeed(42))
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertEquals(Math.exp(job.metric("eval_loss")), job.metric("eval_perplexity"), 1e-6);
        if (merge.equals("none")) {
            assertEquals(ROWS / BATCH, job.maxSteps());
        } else {
            assertTrue(job.maxSteps() < ROWS / BATCH / 2, merge + " should pack 400 short texts into far fewer "
                    + "16-token blocks, but the epoch took " + job.maxSteps() + " steps");
        }
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.CAUSAL_LM)) {
            assertEquals("GPT2LMHeadModel", model.model().architecture());
        }
        LOG.infof("causal LM scenario, merge %s: %.1f s wall, %d steps", merge, job.wallSeconds(), job.maxSteps());
    }
}
