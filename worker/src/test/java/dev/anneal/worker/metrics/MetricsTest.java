package dev.anneal.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.run.RunFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Metric values computed by hand with sklearn's / scipy's / the SQuAD script's definitions (the worked
 * numbers are in the comments).
 */
class MetricsTest {
    private static final double EPS = 1e-12;

    // Class 0: tp 2, fp 1, fn 0 (support 2); class 1: tp 1, fp 1, fn 2 (support 3); class 2: tp 2, fp 1, fn 1 (support 3).
    private static final EvalPredictions MULTICLASS = EvalPredictions.classes(
            new long[] {0, 2, 2, 2, 1, 0, 1, 0}, new long[] {0, 1, 2, 2, 1, 0, 2, 1});
    // Class 1: tp 3, fp 1, fn 1; class 0: tp 1.
    private static final EvalPredictions BINARY = EvalPredictions.classes(
            new long[] {1, 0, 0, 1, 1, 1}, new long[] {1, 0, 1, 1, 0, 1});

    private static double metric(String name, EvalPredictions predictions) {
        return Metrics.create(name).compute(predictions);
    }

    @Test
    void multiclassAverages() {
        assertEquals(5.0 / 8, metric("accuracy", MULTICLASS), EPS);
        // precision 2/3, 1/2, 2/3; recall 1, 1/3, 2/3; f1 4/5, 2/5, 2/3.
        assertEquals((2.0 / 3 + 0.5 + 2.0 / 3) / 3, metric("precision_macro", MULTICLASS), EPS);
        assertEquals((1 + 1.0 / 3 + 2.0 / 3) / 3, metric("recall_macro", MULTICLASS), EPS);
        assertEquals((0.8 + 0.4 + 2.0 / 3) / 3, metric("f1_macro", MULTICLASS), EPS);
        assertEquals((2 * 2.0 / 3 + 3 * 0.5 + 3 * 2.0 / 3) / 8, metric("precision_weighted", MULTICLASS), EPS);
        assertEquals(5.0 / 8, metric("recall_weighted", MULTICLASS), EPS);
        assertEquals((2 * 0.8 + 3 * 0.4 + 3 * 2.0 / 3) / 8, metric("f1_weighted", MULTICLASS), EPS);
        for (String micro : List.of("precision_micro", "recall_micro", "f1_micro")) {
            assertEquals(5.0 / 8, metric(micro, MULTICLASS), EPS, micro);
        }
        // (c·s − Σ p_k t_k) / √((s² − Σ p²)(s² − Σ t²)) = (40 − 21) / √(42 · 42).
        assertEquals(19.0 / 42, metric("matthews_corrcoef", MULTICLASS), EPS);
    }

    @Test
    void binaryScoresClassOne() {
        assertEquals(0.75, metric("precision", BINARY), EPS);
        assertEquals(0.75, metric("recall", BINARY), EPS);
        assertEquals(0.75, metric("f1", BINARY), EPS);
        // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (3 − 1) / √(4·4·2·2).
        assertEquals(0.25, metric("matthews_corrcoef", BINARY), EPS);
        // No positive prediction: precision is undefined and counts as 0, as sklearn's zero_division.
        EvalPredictions none = EvalPredictions.classes(new long[] {0, 0}, new long[] {1, 0});
        assertEquals(0, metric("precision", none), EPS);
        assertEquals(0, metric("matthews_corrcoef", EvalPredictions.classes(new long[] {0, 0}, new long[] {0, 0})),
                EPS);
    }

    @Test
    void binaryOnMulticlassLabelsIsRefused() {
        RunFailure failure = assertThrows(RunFailure.class, () -> metric("f1", MULTICLASS));
        assertTrue(failure.getMessage().contains("f1_macro"), failure.getMessage());
    }

    @Test
    void multiLabelRows() {
        EvalPredictions rows = EvalPredictions.multiLabel(
                new boolean[][] {{true, false}, {true, true}, {false, true}},
                new boolean[][] {{true, false}, {false, true}, {false, true}});
        assertEquals(2.0 / 3, metric("accuracy", rows), EPS);
        // Column 0: tp 1, fp 1; column 1: tp 2.
        assertEquals(6.0 / 7, metric("f1_micro", rows), EPS);
        assertEquals((2.0 / 3 + 1) / 2, metric("f1_macro", rows), EPS);
        assertThrows(RunFailure.class, () -> metric("f1", rows));
    }

    @Test
    void regression() {
        // sklearn's documentation example.
        EvalPredictions values = EvalPredictions.values(new double[] {2.5, 0.0, 2, 8}, new double[] {3, -0.5, 2, 7});
        assertEquals(0.375, metric("mse", values), EPS);
        assertEquals(0.5, metric("mae", values), EPS);
        // Σdxdy / √(Σdx² Σdy²) = 31.5625 / √(35.1875 · 29.1875).
        assertEquals(31.5625 / Math.sqrt(35.1875 * 29.1875), metric("pearson", values), EPS);
        assertEquals(0.9848696184482703, metric("pearson", values), 1e-12);
        // Ranks with a tie: x → (1, 2.5, 2.5, 4), y → (1, 3, 2, 4).
        EvalPredictions tied = EvalPredictions.values(new double[] {1, 2, 2, 3}, new double[] {10, 30, 20, 40});
        assertEquals(0.9486832980505139, metric("spearman", tied), 1e-12);
        assertTrue(Double.isNaN(metric("pearson", EvalPredictions.values(new double[] {1, 1}, new double[] {1, 2}))));
    }

    @Test
    void squadOnDecodedSpans() {
        EvalPredictions spans = EvalPredictions.spans(
                List.of("The Onion!", "red onions", "", "garlic"),
                List.of(List.of("onion"), List.of("onions", "2 red onions"), List.of(), List.of()));
        // EM: 1, 0 ("red onions" ≠ "onions", ≠ "2 red onions"), 1 (both empty), 0.
        assertEquals(50, metric("exact_match", spans), EPS);
        // F1: 1; max(2·½·1/(½+1) = 2/3, 2·1·⅔/(1+⅔) = 0.8) = 0.8; 1; 0.
        assertEquals(100 * (1 + 0.8 + 1 + 0) / 4, metric("f1", spans), EPS);
        assertEquals("onion", SquadText.normalize("  The   ONION. "));
        assertEquals("cloves garlic", SquadText.normalize("a cloves, an garlic"));
    }

    @Test
    void languageModelMetrics() {
        EvalPredictions tokens = EvalPredictions.builder().tokens(new long[] {5, 6, 7, 8}, new long[] {5, -100, 7, 9})
                .loss(Math.log(20)).build();
        assertEquals(2.0 / 3, metric("token_accuracy", tokens), EPS);
        assertEquals(20, metric("perplexity", tokens), 1e-9);
    }

    @Test
    void namesAndApplicability() {
        assertEquals(List.of("accuracy", "precision", "precision_macro", "precision_micro", "precision_weighted",
                "recall", "recall_macro", "recall_micro", "recall_weighted", "f1", "f1_macro", "f1_micro",
                "f1_weighted", "matthews_corrcoef", "mse", "mae", "pearson", "spearman", "exact_match", "perplexity",
                "token_accuracy"), Metrics.names());
        RunFailure unknown = assertThrows(RunFailure.class, () -> Metrics.requireKnown(List.of("bleu")));
        assertTrue(unknown.getMessage().startsWith("metrics: unknown metric 'bleu'; valid metrics: [accuracy"));
        Metrics.requireApplicable(List.of("exact_match", "f1"), Task.QUESTION_ANSWERING);
        Metrics.requireApplicable(List.of("accuracy", "f1_macro", "mse"), Task.TASK_UNSPECIFIED);
        Metrics.requireApplicable(List.of("perplexity"), Task.LANGUAGE_MODELING);
        RunFailure wrong = assertThrows(RunFailure.class,
                () -> Metrics.requireApplicable(List.of("mse"), Task.QUESTION_ANSWERING));
        assertEquals("metrics: 'mse' does not apply to QUESTION_ANSWERING; it can report [f1, exact_match]",
                wrong.getMessage());
        // A metric reading a form the task does not produce says so.
        RunFailure form = assertThrows(RunFailure.class, () -> metric("mse", MULTICLASS));
        assertTrue(form.getMessage().contains("regression predictions"), form.getMessage());
        // The long[] form the pipeline already calls keeps working.
        assertEquals(5.0 / 8, new Accuracy().compute(new long[] {0, 2, 2, 2, 1, 0, 1, 0},
                new long[] {0, 1, 2, 2, 1, 0, 2, 1}), EPS);
    }
}
