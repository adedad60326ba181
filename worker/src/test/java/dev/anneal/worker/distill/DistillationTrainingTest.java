package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.train.PaddingCollator;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A BERT student trained through the unchanged {@link TrainingLoop} against a DistilBERT teacher loaded by
 * {@link TeacherLoader}: the teacher is frozen (bit-identical weights, no gradients, not in the optimizer)
 * while the student learns, and what is saved or checkpointed is the student alone.
 */
class DistillationTrainingTest {
    @Test
    void onlyTheStudentTrainsAndOnlyTheStudentIsSaved(@TempDir Path work) throws Exception {
        try (TransformerModel student = FixtureClassifiers.load(FixtureClassifiers.BERT)) {
            RunEnvironment environment = new RunEnvironment(work.resolve("job"), work, null);
            TeacherLoader.Teacher teacher = TeacherLoader.load(FixtureClassifiers.DISTILBERT.toString(), environment,
                    student.config());
            try (TransformerModel teacherModel = teacher.model();
                    DistillationModel model = new DistillationModel(student, teacherModel, teacher.directory(),
                            new DistillationSettings(2.0, 0.5))) {
                teacherModel.namedParameters().forEach((name, parameter) ->
                        assertFalse(parameter.getArray().hasGradient(), name + " records gradients"));
                assertEquals(student.namedParameters(), model.namedParameters(), "the trained parameters are the student's");
                Map<String, float[]> teacherBefore = values(teacherModel);
                Map<String, float[]> studentBefore = values(student);

                TrainingArgs args = TrainingArgs.resolve(TrainingArguments.newBuilder().setMaxSteps(3)
                        .setLearningRate(1e-2).setPerDeviceTrainBatchSize(3).build());
                try (TrainingLoop loop = new TrainingLoop(model, features(), new PaddingCollator(0, "right"), args,
                        new Cancellation())) {
                    double trainLoss = loop.run();
                    assertTrue(Double.isFinite(trainLoss), "train loss " + trainLoss);
                    assertEquals(3, loop.globalStep());
                    Set<String> optimized = new LinkedHashSet<>();
                    loop.optimizer().state().keySet().forEach(key -> optimized.add(key.replaceAll("\\.exp_avg(_sq)?$", "")));
                    assertEquals(student.namedParameters().keySet(), optimized, "the optimizer holds the student only");

                    Map<String, float[]> teacherAfter = values(teacherModel);
                    teacherBefore.forEach((name, before) ->
                            assertArrayEquals(before, teacherAfter.get(name), "teacher " + name + " changed"));
                    assertFalse(java.util.Arrays.equals(studentBefore.get("classifier.weight"),
                            values(student).get("classifier.weight")), "the student did not train");

                    Path saved = work.resolve("model");
                    HfCheckpoint.save(model, saved);
                    assertOnlyTheStudent(student, saved);
                    Path checkpoint = new TrainingCheckpoints(work.resolve("checkpoints"))
                            .save(model, loop.optimizer(), loop.position(), Map.of(), "{}".getBytes()).directory();
                    assertOnlyTheStudent(student, checkpoint);
                    assertSavedModelPredictsLikeTheStudent(student, saved);
                }
            }
        }
    }

    private static void assertOnlyTheStudent(TransformerModel student, Path dir) throws Exception {
        assertEquals(new java.util.TreeSet<>(student.namedParameters().keySet()),
                new java.util.TreeSet<>(SafetensorsReader.open(dir.resolve(HfCheckpoint.WEIGHTS_FILE)).names()),
                dir + " holds other tensors than the student's");
        HfConfig config = HfConfig.read(dir);
        assertEquals("bert", config.modelType());
        assertEquals("BertForSequenceClassification", config.getNode("architectures").get(0).asText());
    }

    private static void assertSavedModelPredictsLikeTheStudent(TransformerModel student, Path saved) throws Exception {
        JsonNode testCase = FixtureClassifiers.textsCase(FixtureClassifiers.BERT);
        try (TransformerModel reloaded = FixtureClassifiers.load(saved);
                NDManager manager = student.manager().newSubManager()) {
            Batch batch = new Batch(HfReference.batch(testCase, manager, false));
            assertArrayEquals(student.forward(batch, false).logits().toFloatArray(),
                    reloaded.forward(batch, false).logits().toFloatArray());
        }
    }

    /** The reference "texts" case as unpadded features with its labels. */
    private static List<Feature> features() throws Exception {
        JsonNode testCase = FixtureClassifiers.textsCase(FixtureClassifiers.BERT);
        JsonNode ids = testCase.get("encoding").get("input_ids");
        JsonNode mask = testCase.get("encoding").get("attention_mask");
        int[] labels = FixtureClassifiers.labels(testCase);
        List<Feature> features = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            int length = 0;
            while (length < mask.get(i).size() && mask.get(i).get(length).asInt() == 1) {
                length++;
            }
            long[] tokens = new long[length];
            long[] attention = new long[length];
            for (int j = 0; j < length; j++) {
                tokens[j] = ids.get(i).get(j).asLong();
                attention[j] = 1;
            }
            Map<String, long[]> longs = new LinkedHashMap<>();
            longs.put("input_ids", tokens);
            longs.put("attention_mask", attention);
            longs.put("labels", new long[] {labels[i]});
            features.add(new Feature(longs, Map.of()));
        }
        return features;
    }

    private static Map<String, float[]> values(TransformerModel model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
            out.put(entry.getKey(), entry.getValue().getArray().toFloatArray());
        }
        return out;
    }
}
