package dev.anneal.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.hf.HfConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The head losses against values worked out by hand from PyTorch's definitions. */
class HfLossesTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void crossEntropySkipsIgnoredLabels() {
        NDArray logits = manager.create(new float[] {2, 0, 0, 1, 1, 1}, new Shape(3, 2));
        NDArray labels = manager.create(new long[] {0, -100, 1});
        double first = -Math.log(Math.exp(2) / (Math.exp(2) + 1));
        double third = Math.log(2);
        assertEquals((first + third) / 2, HfLosses.crossEntropy(logits, labels).getFloat(), 1e-6);
    }

    @Test
    void allIgnoredLabelsGiveZeroLossAndZeroGradientsNotNaN() {
        NDArray logits = manager.create(new float[] {2, 0, 0, 1, 1, 1}, new Shape(3, 2));
        logits.setRequiresGradient(true);
        NDArray loss = dev.anneal.worker.train.Autograd.recording(
                () -> HfLosses.crossEntropy(logits, manager.create(new long[] {-100, -100, -100})));
        dev.anneal.worker.train.Autograd.backward(loss);
        // torch gives a NaN loss here; its NaN gradient would poison every weight through AdamW.
        assertEquals(0f, loss.getFloat(), 0f);
        for (float gradient : logits.getGradient().toFloatArray()) {
            assertEquals(0f, gradient, 0f);
        }
    }

    @Test
    void problemTypeIsInferredLikeTransformers() {
        HfConfig none = HfConfig.empty();
        NDArray twoLogits = manager.create(new float[] {0.5f, -1f, 2f, 0f}, new Shape(2, 2));
        assertEquals("single_label_classification", HfLosses.problemType(none, 2, manager.create(new long[] {1, 0})));
        assertEquals("multi_label_classification", HfLosses.problemType(none, 2, manager.create(new float[] {1, 0, 1, 1}, new Shape(2, 2))));
        assertEquals("regression", HfLosses.problemType(none, 1, manager.create(new float[] {0.3f, 2f})));

        // multi-label: mean over all elements of BCE with logits
        NDArray targets = manager.create(new float[] {1, 0, 0, 1}, new Shape(2, 2));
        double expected = (softplus(-0.5) + softplus(-1) + softplus(2) + softplus(-0)) / 4;
        assertEquals(expected, HfLosses.sequenceClassification(none, twoLogits, targets).getFloat(), 1e-6);

        // regression with one label: logits [2, 1] and labels [2] are squeezed, then MSE
        NDArray oneLogit = manager.create(new float[] {0.5f, 3f}, new Shape(2, 1));
        assertEquals((0.04 + 1) / 2, HfLosses.sequenceClassification(none, oneLogit, manager.create(new float[] {0.3f, 2f})).getFloat(), 1e-6);

        // configured problem_type wins over inference
        HfConfig regression = HfConfig.empty().set("problem_type", "regression");
        assertEquals((0.25 + 1 + 4 + 1) / 4, HfLosses.sequenceClassification(regression, twoLogits,
                manager.create(new float[] {1, 0, 0, 1}, new Shape(2, 2))).getFloat(), 1e-6);
        HfConfig bogus = HfConfig.empty().set("problem_type", "ranking");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HfLosses.sequenceClassification(bogus, twoLogits, targets));
        assertTrue(e.getMessage().contains("ranking"), e.getMessage());
    }

    @Test
    void spanLossIgnoresPositionsOutsideTheWindow() {
        NDArray start = manager.create(new float[] {0, 1, 0, 0, 0, 0}, new Shape(2, 3));
        NDArray end = manager.create(new float[] {0, 0, 1, 0, 0, 0}, new Shape(2, 3));
        // second example's positions (7) clamp to seq_len 3, which is ignored
        NDArray loss = HfLosses.spanLoss(start, end, manager.create(new long[] {1, 7}), manager.create(new long[] {2, 7}));
        double ce = -Math.log(Math.E / (Math.E + 2));
        assertEquals(ce, loss.getFloat(), 1e-6);
    }

    @Test
    void causalLossPredictsTheNextToken() {
        NDArray logits = manager.create(new float[] {0, 3, 0, 0, 0, 0}, new Shape(1, 2, 3));
        NDArray labels = manager.create(new long[] {2, 1}, new Shape(1, 2));
        assertEquals(-Math.log(Math.exp(3) / (Math.exp(3) + 2)), HfLosses.causalLm(logits, labels).getFloat(), 1e-6);
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }
}
