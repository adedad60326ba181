package dev.anneal.worker.distill;

import dev.anneal.worker.base.BaseModelResolver;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelFamily;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Loads a distillation teacher: resolves the reference like {@code base}, checks that it can teach the
 * student, builds it with its own config as a sequence classifier (txtai loads it with
 * {@code AutoModelForSequenceClassification} and no config changes) and loads every weight strictly, since
 * a teacher with a freshly initialised head would teach noise. The returned model is frozen: its
 * parameters record no gradients.
 */
public final class TeacherLoader {
    private static final String FIELD = "teacher";
    private static final String SINGLE_LABEL = "single_label_classification";
    private static final Pattern DEFAULT_LABEL_NAME = Pattern.compile("LABEL_\\d+");

    private TeacherLoader() {
    }

    /** A loaded teacher and the directory it came from. */
    public record Teacher(Path directory, TransformerModel model) {
    }

    /**
     * Loads the teacher {@code reference} for a student built from {@code studentConfig} (after the task
     * wrote its labels into it); INVALID_ARGUMENT naming {@code teacher} when it cannot teach that student.
     */
    public static Teacher load(String reference, RunEnvironment environment, HfConfig studentConfig) {
        Path directory = BaseModelResolver.resolve(reference, FIELD, environment);
        HfConfig config;
        try {
            config = HfConfig.read(directory);
        } catch (IOException | RuntimeException e) {
            throw RunFailure.invalidArgument(FIELD, "cannot read config.json of " + directory + ": " + e.getMessage());
        }
        checkFits(config, studentConfig, reference);
        ModelFamily family = ModelFamilies.find(config.modelType()).orElseThrow(() -> RunFailure.invalidArgument(
                FIELD, "model_type '" + config.modelType() + "' of " + reference + " is not supported; supported "
                        + "model types: " + ModelFamilies.supportedModelTypes()));
        if (!family.heads().contains(HeadType.SEQUENCE_CLASSIFICATION)) {
            throw RunFailure.invalidArgument(FIELD, "model_type '" + config.modelType() + "' (" + family.name()
                    + " family) has no sequence classification head");
        }
        TransformerModel model = family.create(config, HeadType.SEQUENCE_CLASSIFICATION);
        try {
            HfCheckpoint.load(directory, model, LoadOptions.strict());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw RunFailure.invalidArgument(FIELD, "cannot load " + reference + " as a trained "
                    + family.architecture(HeadType.SEQUENCE_CLASSIFICATION) + ": " + e.getMessage());
        }
        model.namedParameters().values().forEach(parameter -> parameter.freeze(true));
        return new Teacher(directory, model);
    }

    /** The teacher's labels and vocabulary must be the student's: its logits are compared class by class. */
    static void checkFits(HfConfig teacher, HfConfig student, String reference) {
        String studentProblem = student.getString("problem_type", SINGLE_LABEL);
        if (!SINGLE_LABEL.equals(studentProblem)) {
            throw RunFailure.invalidArgument(FIELD, "distillation needs single-label classes, as txtai's cross "
                    + "entropy does; the training labels make this " + studentProblem);
        }
        String teacherProblem = teacher.getString("problem_type", SINGLE_LABEL);
        if (!SINGLE_LABEL.equals(teacherProblem)) {
            throw RunFailure.invalidArgument(FIELD, reference + " was trained for " + teacherProblem
                    + "; a teacher must be a single-label classifier");
        }
        if (teacher.numLabels() != student.numLabels()) {
            throw RunFailure.invalidArgument(FIELD, reference + " has " + teacher.numLabels()
                    + " labels, the training data has " + student.numLabels());
        }
        Map<Integer, String> teacherNames = teacher.id2label();
        Map<Integer, String> studentNames = student.id2label();
        if (named(teacherNames) && named(studentNames) && !teacherNames.equals(studentNames)) {
            throw RunFailure.invalidArgument(FIELD, reference + " names its labels " + teacherNames
                    + ", the training data's labels are " + studentNames);
        }
        long teacherVocabulary = teacher.getLong("vocab_size", -1);
        long studentVocabulary = student.getLong("vocab_size", -1);
        if (teacherVocabulary != studentVocabulary) {
            throw RunFailure.invalidArgument(FIELD, reference + " has vocab_size " + teacherVocabulary + ", the base "
                    + "has " + studentVocabulary + "; the teacher reads the base tokenizer's token ids, so their "
                    + "vocabularies must be the same");
        }
    }

    /** Whether labels carry real names rather than transformers' LABEL_i placeholders. */
    private static boolean named(Map<Integer, String> names) {
        return names.values().stream().noneMatch(name -> DEFAULT_LABEL_NAME.matcher(name).matches());
    }
}
