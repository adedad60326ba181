package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.file;
import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.worker.model.HeadType;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * txtai's text-classification trainer tests through the gateway's Train RPC: testBasic, testCustom,
 * testDataFrame/testDataset (data by file URI: JSON lines, CSV, a save_to_disk directory), testMultiLabel and
 * testRegression, each asserting what txtai asserts of the saved model.
 *
 * <p>txtai fine-tunes google/bert_uncased_L-2_H-128_A-2, a pretrained BERT, at Hugging Face's defaults (3
 * epochs, learning rate 5e-5). The fixture is the same shape of model with random weights: it learns the
 * dogs/cats split at learning rate 1e-3 in 60 steps of 8, so the scenarios train that instead.
 */
@QuarkusTest
class TextClassificationScenariosTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(TextClassificationScenariosTest.class);
    /** A bare BertModel checkpoint, as txtai's base: the classification head starts from random values. */
    private static final String BERT = TrainRequests.generatedModel("bert/BertModel").toString();

    private static TrainingArguments.Builder fastArgs() {
        return TrainingArguments.newBuilder().setMaxSteps(60).setLearningRate(1e-3).setPerDeviceTrainBatchSize(8)
                .setLoggingSteps(5).setSeed(42);
    }

    private static TrainRequest.Builder animals(Dataset train) {
        return TrainRequest.newBuilder().setBase(BERT).setTrain(train).setArgs(fastArgs());
    }

    /** txtai: {@code labels("cat")[0][0] == 1}, the top label of "cat" is 1. */
    private static void assertCatIsTopLabelOne(TrainedJob job) throws IOException {
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.SEQUENCE_CLASSIFICATION)) {
            List<TxtaiPipelines.LabelScore> labels = TxtaiPipelines.labels(model, "cat");
            assertEquals(1, labels.get(0).id(), "labels(\"cat\") = " + labels);
        }
    }

    @Test
    void basic() throws IOException {
        TrainRequest request = animals(inline(TxtaiData.animals(100))).putLabels("scenario", "basic")
                .setValidation(inline(TxtaiData.animals(1))).addMetrics("accuracy").build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertEquals(1.0, job.metric("eval_accuracy"), 1e-9, "Dogs/dog are 0, Cats/cat are 1");
        assertCatIsTopLabelOne(job);

        Job record = gateway.job(job.jobId());
        assertEquals(JobState.SUCCEEDED, record.getState());
        assertEquals(job.events().size(), record.getLastSequence());
        assertEquals(job.finished().getModelLocation(), record.getModelLocation());
        assertTrue(record.hasStarted() && record.hasEnded() && record.hasProgress());
        assertEquals("basic", record.getRequest().getLabelsOrThrow("scenario"));
        LOG.infof("basic scenario: %.1f s wall, %d events, %d steps, train_runtime %.2f s, peak RSS %s",
                job.wallSeconds(), job.events().size(), job.maxSteps(), job.metric("train_runtime"), peakRss());
    }

    /**
     * testCustom passes a model and tokenizer already in memory, explicit columns and validation data; here the
     * model is an earlier job's output, named {@code job:<id>}. The second job starts where the first ended: its
     * first logged loss is already far below a fresh head's ln 2.
     */
    @Test
    void customBaseFromAnEarlierJob() throws IOException {
        TrainedJob first = TrainedJob.succeed(gateway, animals(inline(TxtaiData.animals(100))).build());
        TrainRequest.Builder custom = TrainRequest.newBuilder().setBase("job:" + first.jobId())
                .setTrain(inline(TxtaiData.animals(100))).setValidation(inline(TxtaiData.animals(100)))
                .addColumns("text").addColumns("label").addMetrics("accuracy")
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(10).setLearningRate(1e-4).setLoggingSteps(1)
                        .setSeed(42));
        TrainedJob second = TrainedJob.succeed(gateway, custom.build());

        double firstLoss = second.losses().get(0);
        LOG.infof("custom base scenario: the second job's losses %s", second.losses());
        assertTrue(firstLoss < 0.3, "the second job's first loss " + firstLoss + " shows it did not start from "
                + "the first job's weights (a fresh two-label head starts near ln 2 = 0.69)");
        assertEquals(1.0, second.metric("eval_accuracy"), 1e-9);
        assertCatIsTopLabelOne(second);
    }

    /**
     * testDataFrame and testDataset hand txtai a data frame and a Hugging Face dataset instead of a list of
     * dicts. A gRPC client names a file instead: JSON lines, CSV, or a {@code save_to_disk} directory.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jsonl", "csv", "save_to_disk"})
    void dataFromAFile(String format, @TempDir Path dir) throws IOException {
        Path data = switch (format) {
            case "jsonl" -> TxtaiData.animalsJsonLines(dir, 100);
            case "csv" -> TxtaiData.animalsCsv(dir, 100);
            case "save_to_disk" -> savedToDiskAnimals(dir.resolve("animals"));
            default -> throw new IllegalArgumentException(format);
        };
        TrainRequest request = animals(file(data)).setValidation(file(data)).addMetrics("accuracy").build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        assertEquals(1.0, job.metric("eval_accuracy"), 1e-9);
        assertEquals(60, job.maxSteps());
        assertCatIsTopLabelOne(job);
    }

    private static Path savedToDiskAnimals(Path dir) throws IOException {
        List<String> texts = new ArrayList<>();
        List<Long> labels = new ArrayList<>();
        for (int r = 0; r < 100; r++) {
            for (int i = 0; i < TxtaiData.ANIMALS.length; i++) {
                texts.add(TxtaiData.ANIMALS[i]);
                labels.add((long) TxtaiData.ANIMAL_LABELS[i]);
            }
        }
        return SavedToDiskDataset.write(dir, texts, labels);
    }

    /** testMultiLabel: vector labels make the task multi-label (BCE); txtai still reads the top label by softmax. */
    @Test
    void multiLabel() throws IOException {
        TrainRequest request = animals(inline(TxtaiData.animalVectors(100)))
                .setValidation(inline(TxtaiData.animalVectors(1))).addMetrics("accuracy").addMetrics("f1_micro")
                .build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertEquals(1.0, job.metric("eval_f1_micro"), 1e-9);
        assertCatIsTopLabelOne(job);
    }

    /**
     * testRegression: labels 0.1 and 1.1 make a single-output regression model (MSE); txtai's Labels passes its
     * output through a sigmoid and asserts {@code labels("cat")[0][1] > 0.5}.
     */
    @Test
    void regression() throws IOException {
        TrainRequest request = animals(inline(TxtaiData.animalScores(100)))
                .setValidation(inline(TxtaiData.animalScores(1))).addMetrics("mse").addMetrics("pearson").build();
        TrainedJob job = TrainedJob.succeed(gateway, request);

        job.assertLossFell();
        assertEquals(job.metric("eval_loss"), job.metric("eval_mse"), 1e-5);
        try (SavedModel model = SavedModel.open(job.modelDir(), HeadType.SEQUENCE_CLASSIFICATION)) {
            assertEquals(1, model.config().numLabels());
            List<TxtaiPipelines.LabelScore> labels = TxtaiPipelines.labels(model, "cat");
            assertTrue(labels.get(0).score() > 0.5, "labels(\"cat\") = " + labels);
            double cat = TxtaiPipelines.regression(model, "cat");
            double dog = TxtaiPipelines.regression(model, "dog");
            LOG.infof("regression scenario: cat %.3f, dog %.3f, eval %s", cat, dog, job.finished().getMetricsMap());
            assertTrue(Math.abs(cat - 1.1) < Math.abs(cat - 0.1) && Math.abs(dog - 0.1) < Math.abs(dog - 1.1),
                    "cat " + cat + " should be nearer 1.1, dog " + dog + " nearer 0.1");
        }
    }

    /** The JVM's peak resident set size (Linux). */
    private static String peakRss() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmHWM")).map(l -> l.substring(6).trim()).findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
