package dev.anneal.worker.train;

import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.run.RunFailure;
import java.util.Locale;
import java.util.Set;

/**
 * Hugging Face {@code TrainingArguments} merged over Hugging Face's defaults and checked. Field names and
 * meanings are Hugging Face's; where Anneal's default differs it says so.
 */
public record TrainingArgs(
        double numTrainEpochs,
        long maxSteps,
        double learningRate,
        int perDeviceTrainBatchSize,
        int perDeviceEvalBatchSize,
        int gradientAccumulationSteps,
        double weightDecay,
        long warmupSteps,
        double warmupRatio,
        String lrSchedulerType,
        double maxGradNorm,
        double adamBeta1,
        double adamBeta2,
        double adamEpsilon,
        long seed,
        /** 0 means Anneal's default: about fifty progress events per run (Hugging Face's fixed 500 shows nothing on a small job). */
        long loggingSteps,
        String evalStrategy,
        long evalSteps,
        String saveStrategy,
        long saveSteps,
        int saveTotalLimit,
        boolean loadBestModelAtEnd,
        String metricForBestModel,
        Boolean greaterIsBetter,
        boolean fp16,
        boolean bf16,
        /** Anneal addition: 0 means no early stopping. */
        int earlyStoppingPatience,
        double earlyStoppingThreshold) {

    public static final Set<String> SCHEDULERS = Set.of("linear", "cosine", "cosine_with_restarts", "polynomial",
            "constant", "constant_with_warmup", "inverse_sqrt");
    public static final Set<String> STRATEGIES = Set.of("no", "steps", "epoch");

    /** Merges {@code args} over Hugging Face's defaults; a value out of range is INVALID_ARGUMENT naming the field. */
    public static TrainingArgs resolve(TrainingArguments args) {
        TrainingArgs resolved = new TrainingArgs(
                args.hasNumTrainEpochs() ? args.getNumTrainEpochs() : 3.0,
                args.hasMaxSteps() ? args.getMaxSteps() : -1,
                args.hasLearningRate() ? args.getLearningRate() : 5e-5,
                args.hasPerDeviceTrainBatchSize() ? args.getPerDeviceTrainBatchSize() : 8,
                args.hasPerDeviceEvalBatchSize() ? args.getPerDeviceEvalBatchSize() : 8,
                args.hasGradientAccumulationSteps() ? args.getGradientAccumulationSteps() : 1,
                args.hasWeightDecay() ? args.getWeightDecay() : 0.0,
                args.hasWarmupSteps() ? args.getWarmupSteps() : 0,
                args.hasWarmupRatio() ? args.getWarmupRatio() : 0.0,
                args.hasLrSchedulerType() ? args.getLrSchedulerType().toLowerCase(Locale.ROOT) : "linear",
                args.hasMaxGradNorm() ? args.getMaxGradNorm() : 1.0,
                args.hasAdamBeta1() ? args.getAdamBeta1() : 0.9,
                args.hasAdamBeta2() ? args.getAdamBeta2() : 0.999,
                args.hasAdamEpsilon() ? args.getAdamEpsilon() : 1e-8,
                args.hasSeed() ? args.getSeed() : 42,
                args.hasLoggingSteps() ? args.getLoggingSteps() : 0,
                args.hasEvalStrategy() ? args.getEvalStrategy().toLowerCase(Locale.ROOT) : "no",
                args.hasEvalSteps() ? args.getEvalSteps() : 0,
                // txtai's default: no intermediate checkpoints unless asked for.
                args.hasSaveStrategy() ? args.getSaveStrategy().toLowerCase(Locale.ROOT) : "no",
                args.hasSaveSteps() ? args.getSaveSteps() : 500,
                args.hasSaveTotalLimit() ? args.getSaveTotalLimit() : 0,
                args.hasLoadBestModelAtEnd() && args.getLoadBestModelAtEnd(),
                args.hasMetricForBestModel() ? args.getMetricForBestModel() : "",
                args.hasGreaterIsBetter() ? args.getGreaterIsBetter() : null,
                args.hasFp16() && args.getFp16(),
                args.hasBf16() && args.getBf16(),
                args.hasEarlyStoppingPatience() ? args.getEarlyStoppingPatience() : 0,
                args.hasEarlyStoppingThreshold() ? args.getEarlyStoppingThreshold() : 0.0);
        resolved.check();
        return resolved;
    }

    private void check() {
        require(Double.isFinite(numTrainEpochs) && (numTrainEpochs > 0 || maxSteps > 0), "num_train_epochs",
                "must be > 0 unless max_steps is set, got " + numTrainEpochs);
        require(maxSteps == -1 || maxSteps > 0, "max_steps", "must be positive (or unset), got " + maxSteps);
        require(Double.isFinite(learningRate) && learningRate >= 0, "learning_rate", "must be >= 0, got " + learningRate);
        require(perDeviceTrainBatchSize >= 1, "per_device_train_batch_size", "must be >= 1, got " + perDeviceTrainBatchSize);
        require(perDeviceEvalBatchSize >= 1, "per_device_eval_batch_size", "must be >= 1, got " + perDeviceEvalBatchSize);
        require(gradientAccumulationSteps >= 1, "gradient_accumulation_steps",
                "must be >= 1, got " + gradientAccumulationSteps);
        require(weightDecay >= 0, "weight_decay", "must be >= 0, got " + weightDecay);
        require(warmupSteps >= 0, "warmup_steps", "must be >= 0, got " + warmupSteps);
        require(warmupRatio >= 0 && warmupRatio <= 1, "warmup_ratio", "must be in [0, 1], got " + warmupRatio);
        require(SCHEDULERS.contains(lrSchedulerType), "lr_scheduler_type",
                "unknown scheduler '" + lrSchedulerType + "'; expected one of " + sorted(SCHEDULERS));
        require(maxGradNorm >= 0, "max_grad_norm", "must be >= 0 (0 disables clipping), got " + maxGradNorm);
        require(adamBeta1 >= 0 && adamBeta1 < 1, "adam_beta1", "must be in [0, 1), got " + adamBeta1);
        require(adamBeta2 >= 0 && adamBeta2 < 1, "adam_beta2", "must be in [0, 1), got " + adamBeta2);
        require(adamEpsilon > 0, "adam_epsilon", "must be > 0, got " + adamEpsilon);
        require(loggingSteps >= 0, "logging_steps", "must be > 0, got " + loggingSteps);
        require(STRATEGIES.contains(evalStrategy), "eval_strategy",
                "unknown strategy '" + evalStrategy + "'; expected one of " + sorted(STRATEGIES));
        require(evalSteps >= 0, "eval_steps", "must be > 0, got " + evalSteps);
        require(STRATEGIES.contains(saveStrategy), "save_strategy",
                "unknown strategy '" + saveStrategy + "'; expected one of " + sorted(STRATEGIES));
        require(saveSteps > 0, "save_steps", "must be > 0, got " + saveSteps);
        require(saveTotalLimit >= 0, "save_total_limit", "must be >= 1 (or unset), got " + saveTotalLimit);
        require(earlyStoppingPatience >= 0, "early_stopping_patience", "must be >= 0, got " + earlyStoppingPatience);
        require(earlyStoppingThreshold >= 0, "early_stopping_threshold", "must be >= 0, got " + earlyStoppingThreshold);
        if (loadBestModelAtEnd) {
            require(!evalStrategy.equals("no"), "load_best_model_at_end", "needs an eval_strategy other than 'no'");
            require(evalStrategy.equals(saveStrategy), "load_best_model_at_end",
                    "needs save_strategy equal to eval_strategy, got " + saveStrategy + " and " + evalStrategy);
            require(!evalStrategy.equals("steps") || evalSteps == 0 || saveSteps % evalSteps == 0, "save_steps",
                    "must be a multiple of eval_steps (" + evalSteps + ") with load_best_model_at_end");
        }
        require(earlyStoppingPatience == 0 || !evalStrategy.equals("no"), "early_stopping_patience",
                "needs an eval_strategy other than 'no'");
        require(!fp16, "fp16", "half precision needs a CUDA device; this worker runs on CPU");
        require(!bf16, "bf16", "bf16 training is not supported by this worker's device");
    }

    /** Optimizer steps between progress events for a run of {@code totalSteps} steps. */
    public long loggingInterval(long totalSteps) {
        if (loggingSteps > 0) {
            return loggingSteps;
        }
        return Math.max(1, Math.min(500, totalSteps / 50));
    }

    /** eval_steps, or the logging interval when unset, as Hugging Face defaults it. */
    public long evalInterval(long totalSteps) {
        return evalSteps > 0 ? evalSteps : loggingInterval(totalSteps);
    }

    /** metric_for_best_model as an eval key: "loss" (the default) means eval_loss. */
    public String bestMetricKey() {
        String metric = metricForBestModel.isEmpty() ? "loss" : metricForBestModel;
        return metric.startsWith("eval_") ? metric : "eval_" + metric;
    }

    /** greater_is_better, defaulting as Hugging Face does: false for losses, true otherwise. */
    public boolean greaterIsBetterResolved() {
        return greaterIsBetter != null ? greaterIsBetter : !bestMetricKey().endsWith("loss");
    }

    /** Warmup steps as Hugging Face computes them: warmup_steps if set, else ceil(ratio x total). */
    public long warmupStepsFor(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    private static void require(boolean condition, String field, String problem) {
        if (!condition) {
            throw RunFailure.invalidArgument("args." + field, problem);
        }
    }

    private static String sorted(Set<String> values) {
        return values.stream().sorted().toList().toString();
    }
}
