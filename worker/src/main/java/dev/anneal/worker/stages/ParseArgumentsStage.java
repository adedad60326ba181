package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class ParseArgumentsStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.PARSE_ARGUMENTS;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("PARSE_ARGUMENTS is not written yet");
    }
}
