package dev.anneal.worker.metrics;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * SQuAD token F1 on decoded answer spans: per example the best F1 over the gold answers of the normalised
 * whitespace tokens' overlap, averaged and scaled to 0–100 as the SQuAD script does. When either side is
 * empty (no answer) the score is 1 if both are, else 0 (SQuAD v2).
 */
public final class SquadF1 implements Metric {
    @Override
    public String name() {
        return "f1";
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
            double best = 0;
            for (String answer : SquadExactMatch.answers(gold.get(i))) {
                best = Math.max(best, f1(predicted.get(i), answer));
            }
            total += best;
        }
        return 100 * total / predicted.size();
    }

    static double f1(String prediction, String answer) {
        List<String> predicted = SquadText.tokens(SquadText.normalize(prediction));
        List<String> gold = SquadText.tokens(SquadText.normalize(answer));
        if (predicted.isEmpty() || gold.isEmpty()) {
            return predicted.equals(gold) ? 1 : 0;
        }
        Map<String, Integer> counts = new HashMap<>();
        for (String token : gold) {
            counts.merge(token, 1, Integer::sum);
        }
        int same = 0;
        for (String token : predicted) {
            Integer left = counts.get(token);
            if (left != null && left > 0) {
                same++;
                counts.put(token, left - 1);
            }
        }
        if (same == 0) {
            return 0;
        }
        double precision = (double) same / predicted.size();
        double recall = (double) same / gold.size();
        return 2 * precision * recall / (precision + recall);
    }
}
