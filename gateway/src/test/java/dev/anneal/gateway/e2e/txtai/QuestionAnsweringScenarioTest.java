package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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

/**
 * txtai's testQA through the gateway's Train RPC: the 14 recipe rows as training and validation data, then
 * txtai's {@code Questions} on the saved model must find "onion" in "Peel 1 onion", a context it never saw.
 *
 * <p>txtai trains a pretrained BERT for 40 epochs at learning rate 5e-5; the random-init fixture learns at 1e-3.
 * maxlength 32 with stride 8 fits every row in one window.
 */
@QuarkusTest
class QuestionAnsweringScenarioTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(QuestionAnsweringScenarioTest.class);

    @Test
    void recipesTeachTheIngredient() throws IOException {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("bert/BertModel").toString())
                .setTask(Task.QUESTION_ANSWERING)
                .setTrain(inline(TxtaiData.recipes())).setValidation(inline(TxtaiData.recipes()))
                .setMaxlength(32).setStride(8)
                .addMetrics("exact_match").addMetrics("f1")
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(40).setLearningRate(1e-3)
                        .setLoggingSteps(10).setSeed(42))
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertTrue(job.metric("eval_f1") >= job.metric("eval_exact_match"), job.finished().getMetricsMap()
                .toString());
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.QUESTION_ANSWERING)) {
            String answer = TxtaiPipelines.questions(model, TxtaiData.QUESTION, "Peel 1 onion");
            LOG.infof("question-answering scenario: %.1f s wall, answer '%s', eval %s", job.wallSeconds(), answer,
                    job.finished().getMetricsMap());
            assertNotNull(answer, "no answer scored 0.05 or more");
            assertTrue(answer.contains("onion"), "answer: " + answer);
        }
    }
}
