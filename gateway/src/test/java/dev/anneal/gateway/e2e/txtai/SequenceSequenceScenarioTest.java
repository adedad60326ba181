package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.worker.model.HeadType;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.util.Locale;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * txtai's testSeqSeq through the gateway's Train RPC: three run/sleep pairs with the prefix
 * "translate Run to Sleep: ", then greedy generation from the saved model must read "sleep" (txtai compares
 * lower-cased).
 *
 * <p>txtai fine-tunes the pretrained t5-small at learning rate 1e-3 for 3 epochs of the 3 rows and asks for
 * "translate Run to Sleep: run"; mapping the lower-case "run", a token no row has, to "sleep" comes from
 * t5-small's pre-training. The fixture is a random-init tiny T5 that can only memorise the pairs: at 1e-3 and 3
 * epochs it generates nothing, so the rows are repeated 8 times and trained for 30 epochs at 3e-3, and the
 * prompt is the training spelling "Run" (the lower-case prompt reads "sleeping", after the row "running").
 */
@QuarkusTest
class SequenceSequenceScenarioTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(SequenceSequenceScenarioTest.class);

    @Test
    void runTranslatesToSleep() throws IOException {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("t5/T5ForConditionalGeneration").toString())
                .setTask(Task.SEQUENCE_SEQUENCE)
                .setPrefix(TxtaiData.SEQ2SEQ_PREFIX)
                .setTrain(inline(TxtaiData.runToSleep(8))).setValidation(inline(TxtaiData.runToSleep(1)))
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(30).setLearningRate(3e-3)
                        .setLoggingSteps(10).setSeed(42))
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.SEQ2SEQ_LM)) {
            String result = TxtaiPipelines.sequences(model, TxtaiData.SEQ2SEQ_PREFIX + "Run");
            LOG.infof("sequence-sequence scenario: %.1f s wall, %d steps, losses %s, generated '%s'",
                    job.wallSeconds(), job.maxSteps(), job.losses(), result);
            assertEquals("sleep", result.toLowerCase(Locale.ROOT));
        }
    }
}
