package dev.anneal.worker.stages;

import ai.djl.engine.Engine;
import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.train.TrainingArgs;

/**
 * Stage 3: seeds libtorch's generator (head initialisation, masking). Data order and dropout are reseeded
 * from the same seed per epoch and per step, so they do not depend on what ran before.
 */
public final class SetSeedStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.SET_SEED;
    }

    @Override
    public void run(RunState state) {
        Engine.getInstance().setRandomSeed((int) state.get(TrainingArgs.class).seed());
    }
}
