package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunResult;
import dev.anneal.worker.run.RunState;
import java.util.LinkedHashMap;
import java.util.Map;

/** Stage 14: the result: where the model lives and the final training and evaluation metrics. */
public final class FinishStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.FINISH;
    }

    @Override
    public void run(RunState state) {
        Map<String, Double> metrics = new LinkedHashMap<>(state.get(TrainSummary.class).metrics());
        EvaluationResult evaluation = state.find(EvaluationResult.class);
        if (evaluation != null) {
            metrics.putAll(evaluation.metrics());
        }
        state.finish(new RunResult(state.environment().modelDir(), metrics));
    }
}
