package dev.anneal.worker.stages;

import dev.anneal.api.v1.Evaluation;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.metrics.Metric;
import dev.anneal.worker.metrics.Metrics;
import dev.anneal.worker.metrics.PredictionCollector;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.TrainingArgs;
import java.util.List;
import java.util.Map;

/** Stage 12: eval_loss and the requested metrics on the validation data, when there is any. */
public final class EvaluateStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.EVALUATE;
    }

    @Override
    public void run(RunState state) {
        TokenizedData data = state.get(TokenizedData.class);
        if (data.validation().isEmpty()) {
            return;
        }
        List<Metric> metrics = state.request().getMetricsList().stream().map(Metrics::create).toList();
        Map<String, Double> results = dev.anneal.worker.train.Evaluation.run(state.get(TransformerModel.class),
                data.validation(), state.get(Collator.class),
                state.get(TrainingArgs.class).perDeviceEvalBatchSize(), metrics,
                PredictionCollector.forTask(state.get(TrainingTask.class), state.get(TextTokenizer.class)),
                state.cancellation());
        TrainSummary summary = state.get(TrainSummary.class);
        state.emit(TrainEvent.newBuilder().setEvaluation(Evaluation.newBuilder()
                .setGlobalStep(summary.globalStep()).setEpoch(summary.epoch()).putAllMetrics(results)).build());
        state.put(EvaluationResult.class, new EvaluationResult(results));
    }
}
