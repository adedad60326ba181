package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class PrepareDataProcessingStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.PREPARE_DATA_PROCESSING;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("PREPARE_DATA_PROCESSING is not written yet");
    }
}
