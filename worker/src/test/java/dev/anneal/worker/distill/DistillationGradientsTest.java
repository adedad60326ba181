package dev.anneal.worker.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.tensor.GradientsSurviveGarbageCollectionTest;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The distillation loss's constants (temperature, alpha, T^2 / N) survive a garbage collection between
 * forward and backward: the student's gradients are bit-identical with and without one (see
 * {@link dev.anneal.worker.tensor.Scalars}).
 */
class DistillationGradientsTest {
    @Test
    void gradientsAreTheSameWhenCollectionAndReuseHappenBeforeBackward() throws Exception {
        try (TransformerModel student = FixtureClassifiers.load(FixtureClassifiers.BERT);
                TransformerModel teacher = FixtureClassifiers.load(FixtureClassifiers.DISTILBERT);
                DistillationModel model = new DistillationModel(student, teacher, FixtureClassifiers.DISTILBERT,
                        new DistillationSettings(2.5, 0.7));
                NDManager inputs = NDManager.newBaseManager()) {
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            Map<String, NDArray> batch = HfReference.batch(
                    FixtureClassifiers.textsCase(FixtureClassifiers.BERT), inputs, true);
            GradientsSurviveGarbageCollectionTest.assertGradientsSurviveCollection(model, batch, () -> { },
                    "distillation");
        }
    }
}
