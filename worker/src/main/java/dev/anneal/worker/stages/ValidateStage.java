package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.validate.RequestValidator;

/** Stage 1: the request asks for something this build can do (the model family is checked once its config is read). */
public final class ValidateStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.VALIDATE;
    }

    @Override
    public void run(RunState state) {
        RequestValidator.validate(state.request());
    }
}
