package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.metrics.EvalPredictions;
import dev.anneal.worker.metrics.Metric;
import dev.anneal.worker.metrics.PredictionCollector;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.task.Feature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face Trainer's {@code evaluate}: the validation features in order, in eval mode without
 * gradients; eval_loss is the mean over examples, metrics compare the argmax class with the label.
 */
public final class Evaluation {
    private Evaluation() {
    }

    public static Map<String, Double> run(TransformerModel model, List<Feature> features, Collator collator,
            int batchSize, List<Metric> metrics, Cancellation cancellation) {
        return run(model, features, collator, batchSize, metrics, null, cancellation);
    }

    /**
     * As above, with the task's {@link PredictionCollector} turning outputs into what the metrics read (spans,
     * tokens, regression values, ...); without one, metrics compare the argmax class with integer labels.
     */
    public static Map<String, Double> run(TransformerModel model, List<Feature> features, Collator collator,
            int batchSize, List<Metric> metrics, PredictionCollector predictions, Cancellation cancellation) {
        double lossSum = 0;
        long examples = 0;
        List<Long> predicted = new ArrayList<>();
        List<Long> actual = new ArrayList<>();
        for (int from = 0; from < features.size(); from += batchSize) {
            cancellation.checkpoint();
            List<Feature> rows = features.subList(from, Math.min(features.size(), from + batchSize));
            try (NDManager scope = model.manager().newSubManager()) {
                Batch inputs = collator.collate(rows, scope);
                ModelOutput output = Autograd.paused(() -> model.forward(inputs, false));
                if (output.loss() != null) {
                    lossSum += output.loss().getFloat() * rows.size();
                    examples += rows.size();
                }
                if (predictions != null) {
                    if (!metrics.isEmpty()) {
                        predictions.add(inputs, output);
                    }
                    continue;
                }
                NDArray labels = inputs.find("labels");
                if (!metrics.isEmpty() && labels != null && labels.getDataType().isInteger()) {
                    for (long id : output.logits().argMax(-1).toLongArray()) {
                        predicted.add(id);
                    }
                    for (long id : labels.toLongArray()) {
                        actual.add(id);
                    }
                }
            }
        }
        Map<String, Double> results = new LinkedHashMap<>();
        if (examples > 0) {
            results.put("eval_loss", lossSum / examples);
        }
        if (predictions != null) {
            EvalPredictions evaluated = predictions.predictions(examples > 0 ? lossSum / examples : null);
            for (Metric metric : metrics) {
                results.put("eval_" + metric.name(), metric.compute(evaluated));
            }
            return results;
        }
        long[] p = predicted.stream().mapToLong(Long::longValue).toArray();
        long[] a = actual.stream().mapToLong(Long::longValue).toArray();
        for (Metric metric : metrics) {
            if (a.length > 0) {
                results.put("eval_" + metric.name(), metric.compute(p, a));
            }
        }
        return results;
    }
}
