package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class SetPadTokenStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.SET_PAD_TOKEN;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("SET_PAD_TOKEN is not written yet");
    }
}
