package dev.anneal.gateway.e2e.txtai;

import static dev.anneal.gateway.e2e.txtai.TxtaiData.inline;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.HeadType;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * txtai's testKD through the gateway's Train RPC: a teacher trained by an earlier job, named {@code job:<id>},
 * distils into a fresh student, whose top label for "cat" must be 1 (txtai asserts
 * {@code labels("cat")[0][0] == 1}).
 *
 * <p>The teacher starts from DistilBERT and the student from BERT, so "only the student is saved" shows in the
 * tensor names of the model and of every checkpoint. Both are random-init fixtures, so they train at learning
 * rate 1e-3 instead of txtai's 5e-5, one epoch in batches of 16 (25 steps).
 */
@QuarkusTest
class DistillationScenarioTest extends GatewayTest {
    private static final Logger LOG = Logger.getLogger(DistillationScenarioTest.class);

    private static TrainingArguments.Builder oneEpoch() {
        return TrainingArguments.newBuilder().setNumTrainEpochs(1).setLearningRate(1e-3).setPerDeviceTrainBatchSize(16)
                .setLoggingSteps(5).setSeed(42);
    }

    @Test
    void aTeacherFromAnEarlierJobDistilsIntoAStudentThatLabelsCatAsOne() throws IOException {
        TrainedJob teacher = TrainedJob.succeed(gateway, TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("distilbert/DistilBertModel").toString())
                .setTrain(inline(TxtaiData.animals(100))).setArgs(oneEpoch()).build());
        assertEquals(1, topLabel(teacher.modelDir(), "cat"), "the teacher itself must have learned");

        TrainRequest request = TrainRequest.newBuilder()
                .setBase(TrainRequests.generatedModel("bert/BertModel").toString())
                .setTeacher("job:" + teacher.jobId())
                .setTrain(inline(TxtaiData.animals(100))).setValidation(inline(TxtaiData.animals(2)))
                .addMetrics("accuracy")
                .setArgs(oneEpoch().setSaveStrategy("steps").setSaveSteps(20))
                .build();
        TrainedJob student = TrainedJob.succeed(gateway, request);
        LOG.infof("distillation scenario: teacher %.1f s, student %.1f s wall, student losses %s, eval %s",
                teacher.wallSeconds(), student.wallSeconds(), student.losses(), student.finished().getMetricsMap());

        assertEquals(1, topLabel(student.modelDir(), "cat"));
        assertEquals(1, topLabel(student.modelDir(), "Cats"));
        assertEquals(0, topLabel(student.modelDir(), "dog"));
        assertEquals(1.0, student.metric("eval_accuracy"), 1e-9);

        Set<String> saved = tensorNames(student.modelDir());
        assertTrue(saved.contains("classifier.weight") && saved.contains("bert.pooler.dense.weight"), saved::toString);
        assertTrue(saved.stream().allMatch(n -> n.startsWith("bert.") || n.startsWith("classifier.")),
                "the saved model holds tensors that are not the BERT student's: " + saved);
        try (SavedModel model = SavedModel.open(student.modelDir(), HeadType.SEQUENCE_CLASSIFICATION)) {
            assertEquals("BertForSequenceClassification", model.model().architecture());
            assertEquals(List.of(), model.unusedWeights());
        }

        List<String> checkpoints = student.events().stream().filter(TrainEvent::hasCheckpointSaved)
                .map(e -> e.getCheckpointSaved().getLocation()).toList();
        assertFalse(checkpoints.isEmpty(), "save_steps 20 in a 25-step run saves a checkpoint");
        for (String checkpoint : checkpoints) {
            assertEquals(saved, tensorNames(Path.of(checkpoint)), checkpoint + " holds more than the student");
        }

        JsonNode state = new ObjectMapper().readTree(student.modelDir().resolve("trainer_state.json").toFile());
        assertEquals(teacher.modelDir().toAbsolutePath().normalize().toString(),
                state.get("anneal").get("teacher").asText(), "the provenance names the teacher job's model");
    }

    /** txtai's {@code labels(text)[0][0]}: the id of the best-scoring label. */
    private static int topLabel(Path dir, String text) throws IOException {
        try (SavedModel model = SavedModel.open(dir, HeadType.SEQUENCE_CLASSIFICATION)) {
            return TxtaiPipelines.labels(model, text).get(0).id();
        }
    }

    private static Set<String> tensorNames(Path dir) throws IOException {
        return new TreeSet<>(SafetensorsReader.open(dir.resolve(SafetensorsReader.SINGLE_FILE)).names());
    }
}
