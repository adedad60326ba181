package dev.anneal.worker.stages;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.train.TrainerControl;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;

/** Stage 11: the training loop; with load_best_model_at_end, the best checkpoint's weights afterwards. */
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
        Path best = state.get(TrainerControl.class).bestCheckpoint();
        if (state.get(TrainingArgs.class).loadBestModelAtEnd() && best != null) {
            try {
                TrainingCheckpoints.loadWeights(best, state.get(TransformerModel.class));
            } catch (IOException e) {
                throw new RunFailure(Status.Code.INTERNAL, "cannot load the best checkpoint " + best + ": "
                        + e.getMessage(), e);
            }
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                    .setMessage("loaded the best checkpoint " + best)).build());
        }
        state.put(TrainSummary.class, new TrainSummary(loss, seconds, loop.globalStep(), loop.epoch(),
                loop.plan().rows()));
    }
}
