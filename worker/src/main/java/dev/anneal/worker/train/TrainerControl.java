package dev.anneal.worker.train;

import dev.anneal.api.v1.CheckpointSaved;
import dev.anneal.api.v1.Evaluation;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.checkpoint.CheckpointInfo;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import dev.anneal.worker.run.EventSink;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Hugging Face Trainer's evaluate / save / stop decisions between steps: evaluation every eval_steps or
 * epoch, a checkpoint every save_steps or epoch (rotated to save_total_limit, keeping the best), the best
 * checkpoint by metric_for_best_model, and early stopping after {@code early_stopping_patience}
 * evaluations without an improvement larger than {@code early_stopping_threshold}.
 */
public final class TrainerControl implements StepHooks {
    private final TrainingArgs args;
    private final long totalSteps;
    private final Supplier<Map<String, Double>> evaluator;
    private final TrainingCheckpoints checkpoints;
    private final EventSink events;
    private final Supplier<List<Map<String, Object>>> progressHistory;
    private final List<Map<String, Object>> evaluations = new ArrayList<>();
    private Map<String, Double> latest = Map.of();
    private long latestStep = -1;
    private Double best;
    private Path bestCheckpoint;
    private int evaluationsWithoutImprovement;

    /**
     * @param evaluator   evaluation on the validation data, or null when there is none
     * @param checkpoints where checkpoints go, or null when save_strategy is "no"
     */
    public TrainerControl(TrainingArgs args, long totalSteps, Supplier<Map<String, Double>> evaluator,
            TrainingCheckpoints checkpoints, EventSink events, Supplier<List<Map<String, Object>>> progressHistory) {
        this.args = args;
        this.totalSteps = totalSteps;
        this.evaluator = evaluator;
        this.checkpoints = checkpoints;
        this.events = events;
        this.progressHistory = progressHistory;
    }

    @Override
    public void afterStep(TrainingLoop loop) {
        long step = loop.globalStep();
        if (args.evalStrategy().equals("steps") && step % args.evalInterval(totalSteps) == 0) {
            evaluate(loop);
        }
        boolean scheduled = args.saveStrategy().equals("steps") && step % args.saveSteps() == 0;
        if (loop.takeCheckpointRequest() && !scheduled) {
            // Asked for by the job's owner (the worker protocol's checkpoint-now).
            if (checkpoints != null) {
                save(loop);
            } else {
                events.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.WARNING)
                        .setMessage("a checkpoint was asked for at step " + step + " but save_strategy is \"no\""))
                        .build());
            }
        }
        if (scheduled) {
            save(loop);
        }
    }

    @Override
    public void afterEpoch(TrainingLoop loop) {
        if (args.evalStrategy().equals("epoch")) {
            evaluate(loop);
        }
        if (args.saveStrategy().equals("epoch")) {
            save(loop);
        }
    }

    private void evaluate(TrainingLoop loop) {
        if (evaluator == null) {
            return;
        }
        latest = evaluator.get();
        latestStep = loop.globalStep();
        events.emit(TrainEvent.newBuilder().setEvaluation(Evaluation.newBuilder()
                .setGlobalStep(loop.globalStep()).setEpoch(loop.epoch()).putAllMetrics(latest)).build());
        Map<String, Object> entry = new LinkedHashMap<>(latest);
        entry.put("epoch", loop.epoch());
        entry.put("step", loop.globalStep());
        evaluations.add(entry);
        Double value = latest.get(args.bestMetricKey());
        if (value == null) {
            return;
        }
        boolean significant = improves(value, args.earlyStoppingThreshold());
        if (improves(value, 0)) {
            best = value;
            bestCheckpoint = null;
        }
        if (args.earlyStoppingPatience() > 0) {
            if (significant) {
                evaluationsWithoutImprovement = 0;
            } else if (++evaluationsWithoutImprovement >= args.earlyStoppingPatience()) {
                events.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                        .setMessage("early stopping at step " + loop.globalStep() + ": " + args.bestMetricKey()
                                + " did not improve for " + evaluationsWithoutImprovement + " evaluations")).build());
                loop.requestStop();
            }
        }
    }

    /** Whether {@code value} beats the best so far by more than {@code threshold}. */
    private boolean improves(double value, double threshold) {
        if (best == null) {
            return true;
        }
        return args.greaterIsBetterResolved() ? value > best + threshold : value < best - threshold;
    }

    private void save(TrainingLoop loop) {
        Map<String, Double> metrics = latestStep == loop.globalStep() ? latest : Map.of();
        Double value = metrics.get(args.bestMetricKey());
        if (value != null && value.equals(best) && bestCheckpoint == null) {
            // As Hugging Face: the trainer state saved with the best checkpoint already names it.
            bestCheckpoint = checkpoints.directoryFor(loop.globalStep());
        }
        try {
            CheckpointInfo saved = checkpoints.save(loop.model(), loop.optimizer(), loop.position(), metrics,
                    trainerState(loop).toJson());
            events.emit(TrainEvent.newBuilder().setCheckpointSaved(CheckpointSaved.newBuilder()
                    .setGlobalStep(saved.step()).setLocation(saved.directory().toString())
                    .putAllMetrics(metrics)).build());
            checkpoints.rotate(args.saveTotalLimit(), args.loadBestModelAtEnd() ? bestCheckpoint : null);
        } catch (IOException e) {
            throw new RunFailure(Status.Code.INTERNAL, "cannot save a checkpoint at step " + loop.globalStep() + ": "
                    + e.getMessage(), e);
        }
    }

    private TrainerState trainerState(TrainingLoop loop) {
        TrainerState state = new TrainerState(loop.globalStep(), loop.epoch(), totalSteps, loop.plan().epochs(),
                args.perDeviceTrainBatchSize(), args.loggingInterval(totalSteps), args.saveSteps(),
                args.evalInterval(totalSteps));
        progressHistory.get().forEach(state::log);
        evaluations.forEach(state::log);
        state.best(best, bestCheckpoint == null ? null : bestCheckpoint.toString());
        return state;
    }

    /** The checkpoint with the best metric, when load_best_model_at_end should load it. */
    public Path bestCheckpoint() {
        return bestCheckpoint;
    }

    public List<Map<String, Object>> evaluations() {
        return evaluations;
    }

    public Double bestMetric() {
        return best;
    }
}
