package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class TokenizeStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.TOKENIZE;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("TOKENIZE is not written yet");
    }
}
