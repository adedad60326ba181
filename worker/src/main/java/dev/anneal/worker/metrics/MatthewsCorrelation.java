package dev.anneal.worker.metrics;

/**
 * sklearn's matthews_corrcoef for single-label classes (the multiclass form, which equals the binary phi
 * coefficient for two classes): (c·s − Σ p_k·t_k) / √((s² − Σ p_k²)(s² − Σ t_k²)); 0 when undefined.
 */
public final class MatthewsCorrelation implements Metric {
    @Override
    public String name() {
        return "matthews_corrcoef";
    }

    @Override
    public double compute(EvalPredictions predictions) {
        long[] predicted = predictions.predictedClasses(name());
        long[] actual = predictions.actualClasses(name());
        ClassCounts counts = ClassCounts.of(predicted, actual);
        double samples = actual.length;
        double correct = 0;
        double predictedTimesTrue = 0;
        double predictedSquared = 0;
        double trueSquared = 0;
        for (int c = 0; c < counts.classes().length; c++) {
            double t = counts.support()[c];
            double p = counts.truePositives()[c] + counts.falsePositives()[c];
            correct += counts.truePositives()[c];
            predictedTimesTrue += p * t;
            predictedSquared += p * p;
            trueSquared += t * t;
        }
        double denominator = Math.sqrt((samples * samples - predictedSquared) * (samples * samples - trueSquared));
        return denominator == 0 ? 0 : (correct * samples - predictedTimesTrue) / denominator;
    }
}
