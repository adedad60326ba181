package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class SetSeedStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.SET_SEED;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("SET_SEED is not written yet");
    }
}
