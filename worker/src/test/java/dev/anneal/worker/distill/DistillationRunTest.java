package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Distillation;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * txtai's testKD through the whole pipeline: a teacher trained in an earlier job distils into a fresh
 * student, which must give "cat" the top label 1 (txtai asserts {@code labels("cat")[0][0] == 1}). The
 * teacher starts from DistilBERT and the student from BERT, so "only the student is saved" is visible in
 * the tensor names. Both start from the generated random-init checkpoints, so the learning rate is raised
 * above txtai's default, as in the basic scenario's test.
 */
class DistillationRunTest {
    private static final Path GENERATED = HfReference.generatedDir();
    private static final TrainingArguments ARGS = TrainingArguments.newBuilder().setNumTrainEpochs(1)
            .setLearningRate(1e-3).setPerDeviceTrainBatchSize(16).setLoggingSteps(5).build();

    @Test
    void aTeacherFromAnEarlierJobDistilsIntoAStudentThatLabelsCatAsOne(@TempDir Path jobs) throws Exception {
        TrainRequest teacherRequest = TrainRequest.newBuilder()
                .setBase(GENERATED.resolve("distilbert/DistilBertModel").toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(100)))
                .setArgs(ARGS).build();
        Path teacherModel = succeed(teacherRequest, jobs, "teacher-job").modelDir();
        assertEquals(1, topLabel(teacherModel, "cat"), "the teacher itself must have learned");

        TrainRequest studentRequest = TrainRequest.newBuilder()
                .setBase(GENERATED.resolve("bert/BertModel").toString())
                .setTeacher("job:teacher-job")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(100)))
                .setValidation(Dataset.newBuilder().setRows(AnimalRows.times(2)))
                .addMetrics("accuracy")
                .setArgs(ARGS.toBuilder().setSaveStrategy("steps").setSaveSteps(20))
                .build();
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment student = succeed(studentRequest, jobs, "student-job", events);

        assertEquals(1, topLabel(student.modelDir(), "cat"));
        assertEquals(1, topLabel(student.modelDir(), "Cats"));
        assertEquals(0, topLabel(student.modelDir(), "dog"));
        TrainEvent finished = events.get(events.size() - 1);
        assertEquals(1.0, finished.getFinished().getMetricsOrThrow("eval_accuracy"), 1e-9, finished::toString);

        List<String> studentNames = savedNames(student.modelDir());
        assertTrue(studentNames.contains("classifier.weight") && studentNames.contains("bert.pooler.dense.weight"),
                studentNames::toString);
        assertTrue(studentNames.stream().allMatch(n -> n.startsWith("bert.") || n.startsWith("classifier.")),
                "the saved model holds tensors that are not the BERT student's: " + studentNames);
        assertEquals("BertForSequenceClassification",
                HfConfig.read(student.modelDir()).getNode("architectures").get(0).asText());
        try (Stream<Path> checkpoints = Files.list(student.checkpointsDir())) {
            for (Path checkpoint : checkpoints.filter(Files::isDirectory).toList()) {
                assertEquals(studentNames, savedNames(checkpoint), checkpoint + " holds more than the student");
            }
        }
        JsonNode state = new ObjectMapper().readTree(student.modelDir().resolve("trainer_state.json").toFile());
        assertEquals(teacherModel.toAbsolutePath().normalize().toString(),
                state.get("anneal").get("teacher").asText());
    }

    @Test
    void teachersThatCannotTeachFailTheRunNamingTheField(@TempDir Path jobs) {
        Rows.Builder threeClasses = AnimalRows.times(2).toBuilder().addRows(Struct.newBuilder()
                .putFields("text", Value.newBuilder().setStringValue("fish").build())
                .putFields("label", Value.newBuilder().setNumberValue(2).build()));
        String bert = GENERATED.resolve("bert/BertModel").toString();
        String twoLabelClassifier = FixtureClassifiers.BERT.toString();

        JobError unknown = fail(TrainRequest.newBuilder().setBase(bert).setTeacher("job:no-such-job")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(2))).build(), jobs, "unknown");
        assertEquals("teacher: job no-such-job has no saved model", unknown.getMessage());

        JobError labels = fail(TrainRequest.newBuilder().setBase(bert).setTeacher(twoLabelClassifier)
                .setTrain(Dataset.newBuilder().setRows(threeClasses)).build(), jobs, "labels");
        assertEquals("teacher: " + twoLabelClassifier + " has 2 labels, the training data has 3", labels.getMessage());

        JobError untrained = fail(TrainRequest.newBuilder().setBase(bert).setTeacher(bert)
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(2))).build(), jobs, "untrained");
        assertTrue(untrained.getMessage().startsWith("teacher: cannot load " + bert
                + " as a trained BertForSequenceClassification: "), untrained.getMessage());
        assertTrue(untrained.getMessage().contains("classifier.weight"), untrained.getMessage());
    }

    private static JobError fail(TrainRequest request, Path jobs, String name) {
        List<TrainEvent> events = new ArrayList<>();
        JobState state = JobRunner.run(request, new RunEnvironment(jobs.resolve(name), jobs, null), events::add,
                new Cancellation());
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, state, last::toString);
        JobError error = last.getFinished().getError();
        assertEquals("INVALID_ARGUMENT", error.getCode(), error::toString);
        assertEquals(Stage.CREATE_MODEL, error.getStage(), error::toString);
        return error;
    }

    private static RunEnvironment succeed(TrainRequest request, Path jobs, String name) {
        return succeed(request, jobs, name, new ArrayList<>());
    }

    private static RunEnvironment succeed(TrainRequest request, Path jobs, String name, List<TrainEvent> events) {
        RunEnvironment environment = new RunEnvironment(jobs.resolve(name), jobs, null);
        JobState state = JobRunner.run(request, environment, events::add, new Cancellation());
        assertEquals(JobState.SUCCEEDED, state, () -> events.get(events.size() - 1).toString());
        return environment;
    }

    private static List<String> savedNames(Path dir) throws Exception {
        return new ArrayList<>(SafetensorsReader.open(dir.resolve(HfCheckpoint.WEIGHTS_FILE)).names());
    }

    /** The argmax class of a saved classifier for one text, as txtai's Labels pipeline ranks it first. */
    private static long topLabel(Path dir, String text) throws Exception {
        try (TransformerModel model = FixtureClassifiers.load(dir);
                TextTokenizer tokenizer = TextTokenizer.load(dir, TokenizerSettings.read(dir), 128);
                NDManager manager = model.manager().newSubManager()) {
            Encoding encoding = tokenizer.encode(text);
            NDArray ids = manager.create(new long[][] {encoding.getIds()});
            NDArray mask = manager.create(new long[][] {encoding.getAttentionMask()});
            return model.forward(new Batch(Map.of("input_ids", ids, "attention_mask", mask)), false).logits()
                    .argMax(-1).getLong(0);
        }
    }
}
