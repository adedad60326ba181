package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.train.TrainingArgs;

/** Stage 2: Hugging Face training arguments merged over their defaults. */
public final class ParseArgumentsStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.PARSE_ARGUMENTS;
    }

    @Override
    public void run(RunState state) {
        state.put(TrainingArgs.class, TrainingArgs.resolve(state.request().getArgs()));
    }
}
