package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;

/**
 * Stage 9: wraps linear layers with LoRA adapters when the request asks for them. This build refuses
 * {@code lora} in VALIDATE, so here the model is trained in full.
 */
public final class ApplyLoraStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.APPLY_LORA;
    }

    @Override
    public void run(RunState state) {
        // Full fine-tuning: every parameter of the model stays trainable.
    }
}
