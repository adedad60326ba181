package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class CreateModelStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.CREATE_MODEL;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("CREATE_MODEL is not written yet");
    }
}
