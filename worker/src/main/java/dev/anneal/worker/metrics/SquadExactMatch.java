package dev.anneal.worker.metrics;

import java.util.List;

/**
 * SQuAD exact match on decoded answer spans: 100 × the share of predictions whose normalised text equals
 * a normalised gold answer (the best of several), on the SQuAD script's 0–100 scale. An empty prediction
 * matches an empty gold answer (no answer), as in SQuAD v2.
 */
public final class SquadExactMatch implements Metric {
    @Override
    public String name() {
        return "exact_match";
    }

    @Override
    public double compute(EvalPredictions predictions) {
        List<String> predicted = predictions.predictedSpans(name());
        List<List<String>> gold = predictions.goldSpans(name());
        if (predicted.isEmpty()) {
            return Double.NaN;
        }
        double total = 0;
        for (int i = 0; i < predicted.size(); i++) {
            String prediction = SquadText.normalize(predicted.get(i));
            double best = 0;
            for (String answer : answers(gold.get(i))) {
                best = Math.max(best, prediction.equals(SquadText.normalize(answer)) ? 1 : 0);
            }
            total += best;
        }
        return 100 * total / predicted.size();
    }

    static List<String> answers(List<String> gold) {
        return gold.isEmpty() ? List.of("") : gold;
    }
}
