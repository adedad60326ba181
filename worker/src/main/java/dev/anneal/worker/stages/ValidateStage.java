package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class ValidateStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.VALIDATE;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("VALIDATE is not written yet");
    }
}
