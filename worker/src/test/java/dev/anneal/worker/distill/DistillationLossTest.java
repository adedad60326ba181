package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The distillation loss of a BERT student and a DistilBERT teacher against txtai's formula evaluated here in
 * plain doubles on the logits genuine transformers computed for the same inputs (reference.json):
 * {@code (1 - alpha) * CE(s, y) + alpha * T^2 * KL(softmax(t/T) || softmax(s/T))}, KL summed over classes and
 * averaged over the batch. alpha weights the teacher term.
 */
class DistillationLossTest {
    /** Logits agree with transformers to 1e-5 absolute; the loss is a smooth function of them. */
    private static final double LOSS_TOLERANCE = 2e-5;

    private static TransformerModel student;
    private static TransformerModel teacher;
    private static JsonNode studentCase;
    private static JsonNode teacherCase;

    @BeforeAll
    static void load() throws Exception {
        student = FixtureClassifiers.load(FixtureClassifiers.BERT);
        teacher = FixtureClassifiers.load(FixtureClassifiers.DISTILBERT);
        studentCase = FixtureClassifiers.textsCase(FixtureClassifiers.BERT);
        teacherCase = FixtureClassifiers.textsCase(FixtureClassifiers.DISTILBERT);
        assertEquals(studentCase.get("encoding").get("input_ids"), teacherCase.get("encoding").get("input_ids"),
                "both reference cases must hold the same token ids");
    }

    @AfterAll
    static void close() {
        student.close();
        teacher.close();
    }

    @ParameterizedTest(name = "T={0}, alpha={1}")
    @CsvSource({"1.0, 0.5", "2.5, 0.3", "0.5, 0.8", "4.0, 0.5"})
    void matchesTxtaisFormulaOnTransformersLogits(double temperature, double alpha) {
        double expected = expectedLoss(FixtureClassifiers.logits(studentCase), FixtureClassifiers.logits(teacherCase),
                FixtureClassifiers.labels(studentCase), temperature, alpha);
        assertEquals(expected, loss(new DistillationSettings(temperature, alpha), studentCase), LOSS_TOLERANCE);
    }

    @Test
    void alphaZeroIsTheStudentsOwnCrossEntropy() {
        double transformersLoss = studentCase.get("outputs").get("loss").asDouble();
        for (double temperature : new double[] {1.0, 3.0}) {
            assertEquals(transformersLoss, loss(new DistillationSettings(temperature, 0.0), studentCase),
                    LOSS_TOLERANCE, "T=" + temperature);
        }
    }

    @Test
    void alphaOneIsTheScaledDivergenceAloneWhateverTheLabels() {
        double[][] s = FixtureClassifiers.logits(studentCase);
        double[][] t = FixtureClassifiers.logits(teacherCase);
        double divergence = 2.0 * 2.0 * meanKl(s, t, 2.0);
        DistillationSettings settings = new DistillationSettings(2.0, 1.0);
        assertEquals(divergence, loss(settings, studentCase), LOSS_TOLERANCE);
        try (NDManager manager = student.manager().newSubManager()) {
            Map<String, NDArray> tensors = HfReference.batch(studentCase, manager, true);
            tensors.put("labels", manager.create(new long[] {0, 1, 0}));
            assertEquals(divergence, lossOf(new Batch(tensors), settings), LOSS_TOLERANCE);
        }
    }

    @Test
    void aTeacherThatAgreesWithTheStudentAddsNothing() throws Exception {
        try (TransformerModel sameWeights = FixtureClassifiers.load(FixtureClassifiers.BERT)) {
            DistillationModel model = new DistillationModel(student, sameWeights, FixtureClassifiers.BERT,
                    new DistillationSettings(3.0, 0.4));
            try (NDManager manager = student.manager().newSubManager()) {
                double loss = model.forward(new Batch(HfReference.batch(studentCase, manager, true)), false).loss()
                        .getFloat();
                assertEquals(0.6 * studentCase.get("outputs").get("loss").asDouble(), loss, LOSS_TOLERANCE);
            } finally {
                model.close();
            }
        }
    }

    @Test
    void outputsAreTheStudentsAndWithoutLabelsThereIsNoLoss() {
        DistillationModel model = new DistillationModel(student, teacher, FixtureClassifiers.DISTILBERT,
                new DistillationSettings(1.0, 0.5));
        try (NDManager manager = student.manager().newSubManager()) {
            Map<String, NDArray> inputs = HfReference.batch(studentCase, manager, false);
            ModelOutput output = model.forward(new Batch(inputs), false);
            assertNull(output.loss());
            HfReference.assertOutputs("unlabelled", withoutLoss(studentCase), output, inputs.get("attention_mask"));
            ModelOutput labelled = model.forward(new Batch(HfReference.batch(studentCase, manager, true)), false);
            HfReference.assertOutputs("labelled", withoutLoss(studentCase), labelled, inputs.get("attention_mask"));
        } finally {
            model.close();
        }
    }

    private static JsonNode withoutLoss(JsonNode testCase) {
        com.fasterxml.jackson.databind.node.ObjectNode copy = testCase.deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) copy.get("outputs")).remove("loss");
        return copy;
    }

    private static double loss(DistillationSettings settings, JsonNode testCase) {
        try (NDManager manager = student.manager().newSubManager()) {
            return lossOf(new Batch(HfReference.batch(testCase, manager, true)), settings);
        }
    }

    private static double lossOf(Batch batch, DistillationSettings settings) {
        DistillationModel model = new DistillationModel(student, teacher, FixtureClassifiers.DISTILBERT, settings);
        try {
            NDArray loss = model.forward(batch, false).loss();
            assertTrue(loss.getShape().isScalar(), "loss shape " + loss.getShape());
            return loss.toType(DataType.FLOAT64, false).getDouble();
        } finally {
            model.close();
        }
    }

    /** txtai's loss in doubles, written out from its definition. */
    static double expectedLoss(double[][] s, double[][] t, int[] labels, double temperature, double alpha) {
        double crossEntropy = 0;
        for (int i = 0; i < s.length; i++) {
            crossEntropy -= logSoftmax(s[i], 1.0)[labels[i]];
        }
        crossEntropy /= s.length;
        return (1 - alpha) * crossEntropy + alpha * temperature * temperature * meanKl(s, t, temperature);
    }

    /** KL(softmax(t/T) || softmax(s/T)) summed over classes, averaged over examples. */
    static double meanKl(double[][] s, double[][] t, double temperature) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            double[] logQ = logSoftmax(s[i], temperature);
            double[] logP = logSoftmax(t[i], temperature);
            for (int c = 0; c < logP.length; c++) {
                sum += Math.exp(logP[c]) * (logP[c] - logQ[c]);
            }
        }
        return sum / s.length;
    }

    private static double[] logSoftmax(double[] logits, double temperature) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit / temperature);
        }
        double total = 0;
        for (double logit : logits) {
            total += Math.exp(logit / temperature - max);
        }
        double logTotal = max + Math.log(total);
        double[] out = new double[logits.length];
        for (int c = 0; c < logits.length; c++) {
            out[c] = logits[c] / temperature - logTotal;
        }
        return out;
    }
}
