package dev.anneal.worker.train;

/**
 * How many micro-batches, optimizer steps and epochs a run takes, as Hugging Face Trainer plans them:
 * an epoch has ceil(rows / batch) micro-batches and ceil(micro-batches / accumulation) updates (the last
 * update takes the remainder); max_steps, when set, wins over num_train_epochs.
 */
public record TrainingPlan(long rows, int batchSize, int accumulation, long microBatchesPerEpoch,
        long updatesPerEpoch, long totalSteps, int epochs) {

    public static TrainingPlan of(long rows, TrainingArgs args) {
        int batch = args.perDeviceTrainBatchSize();
        int accumulation = args.gradientAccumulationSteps();
        long micro = Math.max(1, (rows + batch - 1) / batch);
        long updates = Math.max(1, (micro + accumulation - 1) / accumulation);
        // HF sizes the schedule with floor(micro / accumulation) updates per epoch.
        long plannedPerEpoch = Math.max(1, micro / accumulation);
        long total;
        int epochs;
        if (args.maxSteps() > 0) {
            total = args.maxSteps();
            epochs = (int) ((total + plannedPerEpoch - 1) / plannedPerEpoch);
        } else {
            total = (long) Math.ceil(args.numTrainEpochs() * plannedPerEpoch);
            epochs = (int) Math.ceil(args.numTrainEpochs());
        }
        return new TrainingPlan(rows, batch, accumulation, micro, updates, total, Math.max(1, epochs));
    }
}
