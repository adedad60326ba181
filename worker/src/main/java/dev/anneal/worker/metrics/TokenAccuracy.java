package dev.anneal.worker.metrics;

/**
 * The share of labelled token positions predicted right: masked positions for masked LM, next tokens for
 * causal LM, replaced-or-original decisions for token-detection. Ignored positions (-100) are not counted.
 */
public final class TokenAccuracy implements Metric {
    @Override
    public String name() {
        return "token_accuracy";
    }

    @Override
    public double compute(EvalPredictions predictions) {
        long[] predicted = predictions.predictedTokens(name());
        long[] actual = predictions.actualTokens(name());
        long counted = 0;
        long correct = 0;
        for (int i = 0; i < actual.length; i++) {
            if (actual[i] == -100) {
                continue;
            }
            counted++;
            if (predicted[i] == actual[i]) {
                correct++;
            }
        }
        return counted == 0 ? Double.NaN : (double) correct / counted;
    }
}
