package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.train.TrainingLoop;

/** Stage 11: the training loop. */
public final class TrainStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.TRAIN;
    }

    @Override
    public void run(RunState state) {
        TrainingLoop loop = state.get(TrainingLoop.class);
        long start = System.nanoTime();
        double loss = loop.run();
        double seconds = (System.nanoTime() - start) / 1e9;
        state.put(TrainSummary.class, new TrainSummary(loss, seconds, loop.globalStep(), loop.epoch(),
                loop.plan().rows()));
    }
}
