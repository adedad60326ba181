package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.HeadType;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * txtai's testRTD through the gateway's Train RPC: token-detection on txtai's animal rows trains an
 * ELECTRA-style generator and discriminator from one base and writes {@code generator/} and
 * {@code discriminator/} (txtai asserts the two directories exist). Here each also loads back as exactly an
 * ElectraForMaskedLM / ElectraForPreTraining, the shared word embeddings are saved trained in both, the
 * discriminator's token accuracy is evaluated, and a later job fine-tunes the discriminator by naming it
 * {@code job:<id>/discriminator}.
 *
 * <p>The base is the random-init ElectraForPreTraining fixture; two epochs at learning rate 1e-3 (txtai: one
 * epoch at 5e-5 on a pretrained ELECTRA) make its loss visibly fall. maxlength 16 fits every row.
 */
@QuarkusTest
class TokenDetectionScenarioTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(TokenDetectionScenarioTest.class);
    private static final Path BASE = TrainRequests.generatedModel("electra/ElectraForPreTraining");
    private static final String EMBEDDINGS = "electra.embeddings.word_embeddings.weight";

    @Test
    void generatorAndDiscriminatorAreSavedAndTheDiscriminatorIsABaseForLaterJobs() throws IOException {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(BASE.toString())
                .setTask(Task.TOKEN_DETECTION)
                .setTrain(inline(TxtaiData.animals(100))).setValidation(inline(TxtaiData.animals(10)))
                .setMaxlength(16)
                .addMetrics("token_accuracy")
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(2).setLearningRate(1e-3)
                        .setLoggingSteps(2).setSeed(42))
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);
        LOG.infof("token-detection scenario: %.1f s wall, %d steps, eval %s", job.wallSeconds(), job.maxSteps(),
                job.finished().getMetricsMap());

        job.assertLossFell();
        double accuracy = job.metric("eval_token_accuracy");
        assertTrue(accuracy >= 0 && accuracy <= 1, "eval_token_accuracy " + accuracy);

        Path generator = job.modelDir().resolve("generator");
        Path discriminator = job.modelDir().resolve("discriminator");
        assertLoadsExactly(generator, HeadType.MASKED_LM, "ElectraForMaskedLM");
        assertLoadsExactly(discriminator, HeadType.PRETRAINING, "ElectraForPreTraining");
        assertTrue(job.events().stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage()
                .equals("token-detection model saved as " + generator + ", " + discriminator)),
                "SAVE names the two parts");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray saved = embeddings(generator, manager);
            assertTrue(saved.contentEquals(embeddings(discriminator, manager)), "one shared tensor, saved in both");
            assertFalse(saved.contentEquals(embeddings(BASE, manager)), "the shared embeddings were trained");
        }

        JobError bare = fail(classifyAnimals("job:" + job.jobId()));
        assertEquals(Stage.LOAD_CONFIG_AND_TOKENIZER, bare.getStage(), bare::toString);
        assertTrue(bare.getMessage().contains("[discriminator, generator]: name one, e.g. job:" + job.jobId()
                + "/discriminator"), bare.getMessage());

        TrainedJob later = TrainedJob.succeed(gateway, classifyAnimals("job:" + job.jobId() + "/discriminator"));
        LOG.infof("text-classification from the discriminator: %.1f s wall, losses %s", later.wallSeconds(),
                later.losses());
        try (SavedModel model = SavedModel.open(later.modelDir(), HeadType.SEQUENCE_CLASSIFICATION)) {
            assertEquals("ElectraForSequenceClassification", model.model().architecture());
            assertEquals(List.of(), model.unusedWeights());
        }
    }

    /** A short text-classification job on txtai's rows from {@code base}. */
    private static TrainRequest classifyAnimals(String base) {
        return TrainRequest.newBuilder().setBase(base).setTrain(inline(TxtaiData.animals(100)))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(10).setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(8).setLoggingSteps(5).setSeed(42))
                .build();
    }

    /** Follows a job that fails in the pipeline to its end: its INVALID_ARGUMENT error. */
    private static JobError fail(TrainRequest request) {
        List<TrainEvent> events = Events.readAll(gateway.blocking.withDeadlineAfter(1, TimeUnit.MINUTES)
                .train(request));
        Finished finished = events.get(events.size() - 1).getFinished();
        assertEquals(JobState.FAILED, finished.getState(), finished::toString);
        assertEquals("INVALID_ARGUMENT", finished.getError().getCode(), finished::toString);
        return finished.getError();
    }

    /** Every weight the {@code head} model needs is saved in {@code dir} and none besides. */
    private static void assertLoadsExactly(Path dir, HeadType head, String architecture) throws IOException {
        try (SavedModel model = SavedModel.open(dir, head)) {
            assertEquals(architecture, model.model().architecture(), dir::toString);
            assertEquals(List.of(), model.unusedWeights(), dir + ": unused weights");
        }
    }

    private static NDArray embeddings(Path dir, NDManager manager) throws IOException {
        return SafetensorsReader.open(dir.resolve(SafetensorsReader.SINGLE_FILE)).read(EMBEDDINGS, manager,
                DataType.FLOAT32);
    }
}
