package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.tokenize.ParallelTokenization;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.List;

/**
 * Stage 7: tokenizes training and validation rows, with {@code tokenizers} parallel workers taking batches
 * of {@code tokenizebatch} rows.
 */
public final class TokenizeStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.TOKENIZE;
    }

    @Override
    public void run(RunState state) {
        DataPlan plan = state.get(DataPlan.class);
        int workers = ParallelTokenization.workers(state.request().getTokenizers());
        int batchSize = ParallelTokenization.batchSize(state.request().getTokenizebatch());
        List<Feature> train = tokenize(state, plan, plan.train(), workers, batchSize);
        if (train.isEmpty()) {
            throw RunFailure.invalidArgument(plan.train().name(), "has no rows");
        }
        List<Feature> validation = plan.validation() == null ? List.of() : tokenize(state, plan, plan.validation(), workers,
                batchSize);
        state.put(TokenizedData.class, new TokenizedData(train, validation));
    }

    private static List<Feature> tokenize(RunState state, DataPlan plan, RowSource source, int workers,
            int batchSize) {
        TrainingTask task = state.get(TrainingTask.class);
        TextTokenizer tokenizer = state.get(TextTokenizer.class);
        List<Feature> features = ParallelTokenization.run(source, workers, batchSize, state.cancellation(),
                (row, index) -> task.features(plan.columns(), row, index, source.name(), tokenizer));
        // txtai merges a list of rows as one group (language tasks' concat / pack); other tasks keep them.
        return task.merge(features, tokenizer.maxLength());
    }
}
