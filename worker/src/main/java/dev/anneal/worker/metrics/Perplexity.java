package dev.anneal.worker.metrics;

/** exp(eval_loss) of a language model, the perplexity Hugging Face's language-modeling examples report. */
public final class Perplexity implements Metric {
    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public double compute(EvalPredictions predictions) {
        return Math.exp(predictions.loss(name()));
    }
}
