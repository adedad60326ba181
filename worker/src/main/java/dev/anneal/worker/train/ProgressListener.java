package dev.anneal.worker.train;

import ai.djl.metric.Metrics;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListenerAdapter;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.run.EventSink;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns the loop's per-step metrics into {@code progress} events every {@code interval} optimizer steps
 * and at the last step: mean loss since the previous event, learning rate, grad norm, throughput, ETA.
 * The first step whose loss is NaN or infinite is also reported at once as a warning.
 */
public final class ProgressListener extends TrainingListenerAdapter {
    private final EventSink events;
    private final long interval;
    private final long maxSteps;
    private final long startNanos = System.nanoTime();
    private double lossSum;
    private long lossCount;
    private double samples;
    private long firstStep = -1;
    private double lastLoss = Double.NaN;
    private boolean divergenceReported;
    private final List<Map<String, Object>> history = new ArrayList<>();

    public ProgressListener(EventSink events, long interval, long maxSteps) {
        this.events = events;
        this.interval = interval;
        this.maxSteps = maxSteps;
    }

    @Override
    public void onTrainingBatch(Trainer trainer, BatchData batchData) {
        Metrics metrics = trainer.getMetrics();
        long step = metrics.latestMetric(StepMetrics.GLOBAL_STEP).getValue().longValue();
        if (firstStep < 0) {
            firstStep = step - 1;
        }
        double stepLoss = metrics.latestMetric(StepMetrics.LOSS).getValue().doubleValue();
        if (!Double.isFinite(stepLoss) && !divergenceReported) {
            divergenceReported = true;
            events.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.WARNING)
                    .setMessage("the training loss is " + stepLoss + " at step " + step + " (grad_norm "
                            + metrics.latestMetric(StepMetrics.GRAD_NORM).getValue().doubleValue()
                            + "): training has diverged; as in Hugging Face Trainer the run goes on, but the model"
                            + " will not recover. A lower learning_rate or a max_grad_norm usually helps."))
                    .build());
        }
        lossSum += stepLoss;
        lossCount++;
        samples += metrics.latestMetric(StepMetrics.SAMPLES).getValue().doubleValue();
        if (step % interval != 0 && step < maxSteps) {
            return;
        }
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        double stepsPerSecond = (step - firstStep) / Math.max(seconds, 1e-9);
        lastLoss = lossSum / lossCount;
        events.emit(TrainEvent.newBuilder().setProgress(Progress.newBuilder()
                .setGlobalStep(step)
                .setMaxSteps(maxSteps)
                .setEpoch(metrics.latestMetric(StepMetrics.EPOCH).getValue().doubleValue())
                .setLoss(lastLoss)
                .setLearningRate(metrics.latestMetric(StepMetrics.LEARNING_RATE).getValue().doubleValue())
                .setGradNorm(metrics.latestMetric(StepMetrics.GRAD_NORM).getValue().doubleValue())
                .setSamplesPerSecond(samples / Math.max(seconds, 1e-9))
                .setEtaSeconds((maxSteps - step) / Math.max(stepsPerSecond, 1e-9)))
                .build());
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("epoch", metrics.latestMetric(StepMetrics.EPOCH).getValue().doubleValue());
        entry.put("grad_norm", metrics.latestMetric(StepMetrics.GRAD_NORM).getValue().doubleValue());
        entry.put("learning_rate", metrics.latestMetric(StepMetrics.LEARNING_RATE).getValue().doubleValue());
        entry.put("loss", lastLoss);
        entry.put("step", step);
        history.add(entry);
        lossSum = 0;
        lossCount = 0;
    }

    /** Every progress entry so far, as Hugging Face's trainer_state.json log_history holds them. */
    public List<Map<String, Object>> history() {
        return Collections.unmodifiableList(history);
    }

    /** The mean loss of the most recent progress event. */
    public double lastLoss() {
        return lastLoss;
    }
}
