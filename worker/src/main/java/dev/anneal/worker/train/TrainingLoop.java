package dev.anneal.worker.train;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.metric.Metrics;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.listener.TrainingListener;
import ai.djl.training.loss.Loss;
import dev.anneal.worker.checkpoint.LoopPosition;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.task.Feature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face Trainer's training loop: epochs of seeded random order, micro-batches with gradient
 * accumulation, global-norm clipping, AdamW with the scheduled learning rate. Listeners see every
 * optimizer step through DJL's {@link TrainingListener} with the step's values in the trainer's metrics.
 */
public final class TrainingLoop implements AutoCloseable {
    private final TransformerModel model;
    private final List<Feature> features;
    private final Collator collator;
    private final TrainingArgs args;
    private final TrainingPlan plan;
    private final LearningRateSchedule schedule;
    private final AdamW optimizer;
    private final List<NDArray> trainable = new ArrayList<>();
    private final NDManager stateManager;
    private final Model djlModel;
    private final Trainer trainer;
    private final Cancellation cancellation;
    private long globalStep;
    private double epoch;
    private double lossSum;
    private int epochIndex;
    private long nextMicroBatch;
    private StepHooks hooks = StepHooks.NONE;
    private boolean stopRequested;

    public TrainingLoop(TransformerModel model, List<Feature> features, Collator collator, TrainingArgs args,
            Cancellation cancellation, TrainingListener... listeners) {
        this.model = model;
        this.features = features;
        this.collator = collator;
        this.args = args;
        this.cancellation = cancellation;
        this.plan = TrainingPlan.of(features.size(), args);
        this.schedule = new LearningRateSchedule(args.lrSchedulerType(), args.learningRate(),
                args.warmupStepsFor(plan.totalSteps()), plan.totalSteps());
        this.stateManager = model.manager().newSubManager();
        this.optimizer = new AdamW(args.adamBeta1(), args.adamBeta2(), args.adamEpsilon());
        for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
            NDArray array = entry.getValue().getArray();
            array.setRequiresGradient(true);
            trainable.add(array);
            optimizer.add(entry.getKey(), array,
                    WeightDecayGroups.decays(entry.getKey()) ? args.weightDecay() : 0.0, stateManager);
        }
        this.djlModel = Model.newInstance(model.architecture(), model.manager().getDevice(), "PyTorch");
        djlModel.setBlock(model);
        DefaultTrainingConfig config = new DefaultTrainingConfig(new ModelLoss()).addTrainingListeners(listeners);
        this.trainer = djlModel.newTrainer(config);
        Metrics metrics = new Metrics();
        metrics.setLimit(10_000);
        trainer.setMetrics(metrics);
    }

    public TrainingPlan plan() {
        return plan;
    }

    /** Sets what runs after each step and epoch (evaluation, checkpoints, early stopping). */
    public TrainingLoop optHooks(StepHooks stepHooks) {
        this.hooks = stepHooks;
        return this;
    }

    /** Runs the remaining planned steps; returns the mean training loss over all steps (HF's train_loss). */
    public double run() {
        long seed = args.seed();
        while (epochIndex < plan.epochs() && globalStep < plan.totalSteps() && !stopRequested) {
            long[] order = EpochOrder.permutation(features.size(), seed + epochIndex);
            runEpoch(order);
            if (nextMicroBatch >= plan.microBatchesPerEpoch()) {
                trainer.notifyListeners(listener -> listener.onEpoch(trainer));
                epochIndex++;
                nextMicroBatch = 0;
                hooks.afterEpoch(this);
            }
        }
        return globalStep == 0 ? Double.NaN : lossSum / globalStep;
    }

    private void runEpoch(long[] order) {
        int batch = plan.batchSize();
        long micro = plan.microBatchesPerEpoch();
        while (nextMicroBatch < micro && globalStep < plan.totalSteps() && !stopRequested) {
            cancellation.checkpoint();
            long first = nextMicroBatch;
            int count = (int) (Math.min(micro, first + plan.accumulation()) - first);
            step(new MicroBatches() {
                @Override
                public int size() {
                    return count;
                }

                @Override
                public Batch collate(int index, NDManager scope) {
                    int from = (int) ((first + index) * batch);
                    int to = (int) Math.min(order.length, from + (long) batch);
                    List<Feature> rows = new ArrayList<>(to - from);
                    for (int i = from; i < to; i++) {
                        rows.add(features.get((int) order[i]));
                    }
                    return collator.collate(rows, scope, (long) epochIndex * micro + first + index);
                }
            });
            nextMicroBatch += count;
            epoch = epochIndex + (double) nextMicroBatch / micro;
            trainer.getMetrics().addMetric(StepMetrics.EPOCH, epoch);
            notifyStep();
            hooks.afterStep(this);
        }
    }

    /** Whether the run's owner asked for a checkpoint since the last call (clears the request). */
    public boolean takeCheckpointRequest() {
        return cancellation.takeCheckpointRequest();
    }

    /** Where the loop stands, for a checkpoint; an epoch's end is saved as the start of the next. */
    public LoopPosition position() {
        boolean epochDone = nextMicroBatch >= plan.microBatchesPerEpoch();
        return new LoopPosition(globalStep, epochDone ? epochIndex + 1 : epochIndex, epochDone ? 0 : nextMicroBatch,
                optimizer.steps(), lossSum);
    }

    /** Continues from a checkpoint: its weights must already be in the model; restores the rest. */
    public void resumeFrom(Path checkpoint) throws IOException {
        LoopPosition position = TrainingCheckpoints.restoreOptimizer(checkpoint, optimizer, stateManager);
        globalStep = position.globalStep();
        epochIndex = position.epoch();
        nextMicroBatch = position.nextMicroBatch();
        lossSum = position.lossSum();
        epoch = epochIndex + (double) nextMicroBatch / plan.microBatchesPerEpoch();
    }

    /** Ends training after the current step (early stopping). */
    public void requestStop() {
        stopRequested = true;
    }

    public TransformerModel model() {
        return model;
    }

    public AdamW optimizer() {
        return optimizer;
    }

    public TrainingArgs args() {
        return args;
    }

    /**
     * One optimizer step over {@code micro} micro-batches: forward and backward each (gradients add up,
     * as Hugging Face Trainer sums the micro-batch losses), clip, update with the scheduled rate.
     */
    public StepResult step(MicroBatches micro) {
        // Reseeding per step makes dropout a function of (seed, step): a resumed run draws the same masks.
        Engine.getInstance().setRandomSeed((int) (args.seed() * 1_000_003L + globalStep));
        double stepLoss = 0;
        long samples = 0;
        for (int i = 0; i < micro.size(); i++) {
            try (NDManager scope = model.manager().newSubManager()) {
                Batch inputs = micro.collate(i, scope);
                samples += inputs.size();
                stepLoss += Autograd.recording(() -> {
                    NDArray loss = model.forward(inputs, true).loss();
                    Autograd.backward(loss);
                    return (double) loss.getFloat();
                });
            }
        }
        double gradNorm = Autograd.paused(() -> GradientClipping.clip(trainable, args.maxGradNorm()));
        double rate = schedule.rate(globalStep);
        Autograd.paused(() -> {
            optimizer.step(rate);
            Autograd.zeroGradients(trainable);
        });
        globalStep++;
        lossSum += stepLoss;
        Metrics metrics = trainer.getMetrics();
        metrics.addMetric(StepMetrics.GLOBAL_STEP, globalStep);
        metrics.addMetric(StepMetrics.LOSS, stepLoss);
        metrics.addMetric(StepMetrics.LEARNING_RATE, rate);
        metrics.addMetric(StepMetrics.GRAD_NORM, gradNorm);
        metrics.addMetric(StepMetrics.SAMPLES, samples);
        return new StepResult(globalStep, stepLoss, rate, gradNorm);
    }

    private void notifyStep() {
        TrainingListener.BatchData data = new TrainingListener.BatchData(null, Map.of(), Map.of());
        trainer.notifyListeners(listener -> listener.onTrainingBatch(trainer, data));
    }

    /** The micro-batches of one optimizer step, collated on demand into a scope freed after each. */
    public interface MicroBatches {
        int size();

        Batch collate(int index, NDManager scope);
    }

    /** What one optimizer step did: its loss (sum over micro-batches), learning rate and pre-clip grad norm. */
    public record StepResult(long globalStep, double loss, double learningRate, double gradNorm) {
    }

    public long globalStep() {
        return globalStep;
    }

    public double epoch() {
        return epoch;
    }

    @Override
    public void close() {
        trainer.close();
        djlModel.close();
        stateManager.close();
        for (NDArray array : trainable) {
            array.setRequiresGradient(false);
        }
    }

    /** The loss the model computed itself (Hugging Face models return it when labels are given). */
    private static final class ModelLoss extends Loss {
        ModelLoss() {
            super("loss");
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            return predictions.get("loss");
        }
    }
}
