package dev.anneal.worker.checkpoint;

/**
 * Where a training loop stands after an optimizer step, so a resumed run continues exactly there:
 * the next micro-batch of which epoch, the Adam step count, and the running loss sum for train_loss.
 * Random state needs no saving: data order is drawn from (seed, epoch) and dropout from (seed, step).
 */
public record LoopPosition(long globalStep, int epoch, long nextMicroBatch, long optimizerSteps, double lossSum) {
}
