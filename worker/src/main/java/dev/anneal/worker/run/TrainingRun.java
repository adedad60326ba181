package dev.anneal.worker.run;

import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.stages.ApplyLoraStage;
import dev.anneal.worker.stages.BuildTrainerStage;
import dev.anneal.worker.stages.CreateModelStage;
import dev.anneal.worker.stages.EvaluateStage;
import dev.anneal.worker.stages.FinishStage;
import dev.anneal.worker.stages.LoadConfigAndTokenizerStage;
import dev.anneal.worker.stages.ParseArgumentsStage;
import dev.anneal.worker.stages.PrepareDataProcessingStage;
import dev.anneal.worker.stages.SaveStage;
import dev.anneal.worker.stages.SetPadTokenStage;
import dev.anneal.worker.stages.SetSeedStage;
import dev.anneal.worker.stages.TokenizeStage;
import dev.anneal.worker.stages.TrainStage;
import dev.anneal.worker.stages.ValidateStage;
import io.grpc.Status;

/**
 * One fine-tuning run: the fourteen stages of the reference pipeline, in order. Each stage's start and
 * end are events; a failure names the stage it happened in; cancellation is honoured between stages
 * (and between steps inside TRAIN and EVALUATE).
 */
public final class TrainingRun {
    private final RunState state;

    public TrainingRun(TrainRequest request, RunEnvironment environment, EventSink events,
            Cancellation cancellation) {
        this.state = new RunState(request, environment, events, cancellation);
    }

    public RunResult run() {
        try (state) {
            execute(new ValidateStage());
            execute(new ParseArgumentsStage());
            execute(new SetSeedStage());
            execute(new LoadConfigAndTokenizerStage());
            execute(new SetPadTokenStage());
            execute(new PrepareDataProcessingStage());
            execute(new TokenizeStage());
            execute(new CreateModelStage());
            execute(new ApplyLoraStage());
            execute(new BuildTrainerStage());
            execute(new TrainStage());
            execute(new EvaluateStage());
            execute(new SaveStage());
            execute(new FinishStage());
            return state.result();
        }
    }

    private void execute(PipelineStep step) {
        state.cancellation().checkpoint();
        Stage stage = step.stage();
        state.emit(TrainEvent.newBuilder().setStageStarted(StageStarted.newBuilder().setStage(stage)).build());
        long start = System.nanoTime();
        try {
            step.run(state);
        } catch (RunFailure failure) {
            throw failure.inStage(stage);
        } catch (RunCancelledException cancelled) {
            throw cancelled;
        } catch (RuntimeException unexpected) {
            throw new RunFailure(Status.Code.INTERNAL, stage + " failed: " + unexpected, unexpected).inStage(stage);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        state.emit(TrainEvent.newBuilder().setStageFinished(
                StageFinished.newBuilder().setStage(stage).setDurationSeconds(seconds)).build());
    }
}
