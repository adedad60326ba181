package dev.anneal.worker.stages;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.checkpoint.CheckpointReference;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import dev.anneal.worker.metrics.Metric;
import dev.anneal.worker.metrics.Metrics;
import dev.anneal.worker.metrics.PredictionCollector;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.Evaluation;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.ProgressListener;
import dev.anneal.worker.train.TrainerControl;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import dev.anneal.worker.train.TrainingPlan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Stage 10: collator, optimizer, schedule, the loop with its progress listener and its evaluate / save /
 * stop control; when the request names a checkpoint, the loop continues exactly where it was saved.
 */
public final class BuildTrainerStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.BUILD_TRAINER;
    }

    @Override
    public void run(RunState state) {
        TrainingArgs args = state.get(TrainingArgs.class);
        TextTokenizer tokenizer = state.get(TextTokenizer.class);
        TokenizedData data = state.get(TokenizedData.class);
        TransformerModel model = state.get(TransformerModel.class);
        TrainingTask task = state.get(TrainingTask.class);
        // The task's collator: padding, masked-LM masking (seeded), causal labels or seq2seq decoder inputs.
        Collator collator = task.collator(CollatorSettings.of(tokenizer, state.get(BaseModel.class).config(),
                args.seed()));
        TrainingPlan plan = TrainingPlan.of(data.train().size(), args);
        ProgressListener progress = new ProgressListener(state::emit, args.loggingInterval(plan.totalSteps()),
                plan.totalSteps());
        Optional<Path> checkpoint = resumePoint(state);
        if (checkpoint.isPresent()) {
            loadWeights(checkpoint.get(), model);
        }
        TrainingLoop loop = new TrainingLoop(model, data.train(), collator, args, state.cancellation(), progress);
        state.own(loop);
        List<Metric> metrics = state.request().getMetricsList().stream().map(Metrics::create).toList();
        Supplier<Map<String, Double>> evaluator = data.validation().isEmpty() ? null
                : () -> Evaluation.run(model, data.validation(), collator, args.perDeviceEvalBatchSize(), metrics,
                        PredictionCollector.forTask(task, tokenizer), state.cancellation());
        TrainingCheckpoints checkpoints = args.saveStrategy().equals("no") ? null
                : new TrainingCheckpoints(state.environment().checkpointsDir());
        TrainerControl control = new TrainerControl(args, plan.totalSteps(), evaluator, checkpoints, state::emit,
                progress::history);
        loop.optHooks(control);
        if (checkpoint.isPresent()) {
            try {
                loop.resumeFrom(checkpoint.get());
            } catch (IOException | IllegalArgumentException e) {
                throw RunFailure.invalidArgument("checkpoint", "cannot resume from " + checkpoint.get() + ": "
                        + e.getMessage());
            }
            log(state, "resuming from " + checkpoint.get() + " at step " + loop.globalStep());
        }
        state.put(Collator.class, collator);
        state.put(ProgressListener.class, progress);
        state.put(TrainerControl.class, control);
        state.put(TrainingLoop.class, loop);
    }

    private static Optional<Path> resumePoint(RunState state) {
        String reference = state.request().getCheckpoint();
        if (reference.isEmpty()) {
            return Optional.empty();
        }
        Optional<Path> checkpoint = CheckpointReference.resolve(reference, state.environment());
        if (checkpoint.isEmpty()) {
            log(state, "checkpoint '" + reference + "': no checkpoint exists yet, starting from the base model");
        }
        return checkpoint;
    }

    private static void loadWeights(Path checkpoint, TransformerModel model) {
        try {
            TrainingCheckpoints.loadWeights(checkpoint, model);
        } catch (IOException e) {
            throw RunFailure.invalidArgument("checkpoint", "cannot load the weights of " + checkpoint + ": "
                    + e.getMessage());
        }
    }

    private static void log(RunState state, String message) {
        state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO).setMessage(message)).build());
    }
}
