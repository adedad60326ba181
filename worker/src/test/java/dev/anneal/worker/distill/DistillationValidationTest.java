package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Distillation;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.testing.AnimalRows;
import dev.anneal.worker.validate.RequestValidator;
import io.grpc.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * What VALIDATE refuses about distillation (the gateway runs the same checks before it accepts a job), and
 * which teachers cannot teach a student, each an INVALID_ARGUMENT naming the field.
 */
class DistillationValidationTest {
    private static TrainRequest.Builder request() {
        return TrainRequest.newBuilder().setBase("/models/student").setTeacher("/models/teacher")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(1)));
    }

    private static String refusal(Executable check) {
        RunFailure failure = assertThrows(RunFailure.class, check);
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        return failure.getMessage();
    }

    private static String refusal(TrainRequest request) {
        return refusal(() -> RequestValidator.validate(request));
    }

    @Test
    void unsetSettingsTakeTxtaisDefaultsAndTheLimitsOfAlphaAreAllowed() {
        RequestValidator.validate(request().build());
        assertEquals(new DistillationSettings(1.0, 0.5), DistillationSettings.of(request().build().getDistillation()));
        assertEquals(new DistillationSettings(3.0, 0.5),
                DistillationSettings.of(Distillation.newBuilder().setTemperature(3).build()));
        for (double alpha : new double[] {0.0, 1.0}) {
            TrainRequest explicit = request().setDistillation(Distillation.newBuilder().setAlpha(alpha)).build();
            RequestValidator.validate(explicit);
            assertEquals(new DistillationSettings(1.0, alpha), DistillationSettings.of(explicit.getDistillation()),
                    "an explicit alpha " + alpha + " is not the default");
        }
    }

    @Test
    void temperatureMustBePositiveAndFinite() {
        for (double temperature : new double[] {0.0, -1.0, Double.NaN, Double.POSITIVE_INFINITY}) {
            String message = refusal(request().setDistillation(Distillation.newBuilder().setTemperature(temperature))
                    .build());
            assertEquals("distillation.temperature: must be a finite number > 0, got " + temperature, message);
        }
    }

    @Test
    void alphaMustBeAWeightBetweenZeroAndOne() {
        for (double alpha : new double[] {-0.1, 1.5, Double.NaN}) {
            String message = refusal(request().setDistillation(Distillation.newBuilder().setAlpha(alpha)).build());
            assertEquals("distillation.alpha: must be in [0, 1] (the weight of the teacher term), got " + alpha, message);
        }
    }

    @Test
    void aTeacherIsOnlyForTextClassification() {
        TrainRequest questions = TrainRequest.newBuilder().setBase("/models/student").setTeacher("/models/teacher")
                .setTask(Task.QUESTION_ANSWERING)
                .setTrain(Dataset.newBuilder().setUri("/data/squad.jsonl")).build();
        assertEquals("teacher: distillation is only supported for TEXT_CLASSIFICATION, not QUESTION_ANSWERING",
                refusal(questions));
        RequestValidator.validate(request().setTask(Task.TEXT_CLASSIFICATION).build());
    }

    @Test
    void settingsWithoutATeacherOrABlankTeacherAreRefused() {
        assertEquals("distillation: is only used with a teacher; set teacher too",
                refusal(request().clearTeacher().setDistillation(Distillation.newBuilder().setAlpha(0.2)).build()));
        assertEquals("teacher: is blank: give a Hugging Face model directory, hub id or job:<id>",
                refusal(request().setTeacher("  ").build()));
    }

    private static final String STUDENT = """
            {"model_type": "bert", "vocab_size": 1000, "num_labels": 2, "problem_type": "single_label_classification",
             "id2label": {"0": "negative", "1": "positive"}}""";

    @Test
    void aTeacherMustShareTheStudentsLabelsAndVocabulary() {
        HfConfig student = HfConfig.parse(STUDENT);
        TeacherLoader.checkFits(HfConfig.parse("""
                {"model_type": "distilbert", "vocab_size": 1000, "id2label": {"0": "negative", "1": "positive"}}"""),
                student, "t");
        TeacherLoader.checkFits(HfConfig.parse("""
                {"model_type": "bert", "vocab_size": 1000, "id2label": {"0": "LABEL_0", "1": "LABEL_1"}}"""),
                student, "t");
        assertEquals("teacher: t has 3 labels, the training data has 2", refusal(() -> TeacherLoader.checkFits(
                HfConfig.parse("{\"model_type\": \"bert\", \"vocab_size\": 1000, \"num_labels\": 3}"), student, "t")));
        assertEquals("teacher: t names its labels {0=positive, 1=negative}, the training data's labels are "
                + "{0=negative, 1=positive}", refusal(() -> TeacherLoader.checkFits(HfConfig.parse("""
                {"model_type": "bert", "vocab_size": 1000, "id2label": {"0": "positive", "1": "negative"}}"""),
                student, "t")));
        assertEquals("teacher: t has vocab_size 30522, the base has 1000; the teacher reads the base tokenizer's "
                + "token ids, so their vocabularies must be the same", refusal(() -> TeacherLoader.checkFits(
                HfConfig.parse("{\"model_type\": \"bert\", \"vocab_size\": 30522}"), student, "t")));
        assertEquals("teacher: t was trained for multi_label_classification; a teacher must be a single-label "
                + "classifier", refusal(() -> TeacherLoader.checkFits(HfConfig.parse("""
                {"model_type": "bert", "vocab_size": 1000, "problem_type": "multi_label_classification"}"""),
                student, "t")));
    }

    @Test
    void onlySingleLabelStudentsCanBeTaught() {
        HfConfig regression = HfConfig.parse("""
                {"model_type": "bert", "vocab_size": 1000, "num_labels": 1, "problem_type": "regression"}""");
        assertEquals("teacher: distillation needs single-label classes, as txtai's cross entropy does; the training "
                + "labels make this regression", refusal(() -> TeacherLoader.checkFits(
                HfConfig.parse("{\"model_type\": \"bert\", \"vocab_size\": 1000, \"num_labels\": 1}"), regression, "t")));
    }
}
