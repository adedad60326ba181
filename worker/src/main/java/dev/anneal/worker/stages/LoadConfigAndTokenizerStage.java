package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

public final class LoadConfigAndTokenizerStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.LOAD_CONFIG_AND_TOKENIZER;
    }

    @Override
    public void run(RunState state) {
        throw new UnsupportedOperationException("LOAD_CONFIG_AND_TOKENIZER is not written yet");
    }
}
