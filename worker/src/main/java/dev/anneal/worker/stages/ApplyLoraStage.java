package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class ApplyLoraStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.APPLY_LORA;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("APPLY_LORA is not written yet");
    }
}
