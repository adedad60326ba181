package dev.anneal.worker.stages;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.data.RowSources;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.Columns;
import dev.anneal.worker.task.TextClassificationTask;
import dev.anneal.worker.task.TrainingTask;
import java.nio.file.Path;

/**
 * Stage 6: the task's columns and data sources; for text-classification, the label space counted over
 * the training rows, written into the model config.
 */
public final class PrepareDataProcessingStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.PREPARE_DATA_PROCESSING;
    }

    @Override
    public void run(RunState state) {
        TrainingTask task = state.get(TrainingTask.class);
        Columns columns = task.columns(state.request().getColumnsList());
        Path datasets = state.environment().datasetsRoot();
        RowSource train = RowSources.of("train", state.request().getTrain(), datasets);
        RowSource validation = state.request().hasValidation()
                ? RowSources.of("validation", state.request().getValidation(), datasets)
                : null;
        task.prepare(columns, train);
        task.configure(state.get(BaseModel.class).config());
        if (task instanceof TextClassificationTask classification && classification.labels().note() != null) {
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder()
                    .setLevel(Log.Level.WARNING).setMessage(classification.labels().note())).build());
        }
        state.put(DataPlan.class, new DataPlan(columns, train, validation));
    }
}
