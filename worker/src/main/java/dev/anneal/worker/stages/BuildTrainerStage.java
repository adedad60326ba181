package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class BuildTrainerStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.BUILD_TRAINER;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("BUILD_TRAINER is not written yet");
    }
}
