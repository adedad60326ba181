package dev.anneal.worker.train;

import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.List;

/** Turns a list of unpadded features into one model batch, as a Hugging Face data collator does. */
public interface Collator {
    Batch collate(List<Feature> features, NDManager manager);

    /**
     * Collates the training loop's micro-batch number {@code batchIndex} of the run (epoch x micro-batches per
     * epoch + position). A collator that draws at random (masked LM) draws from the seed and this number only,
     * so a run resumed from a checkpoint collates its remaining batches exactly as the uninterrupted run.
     */
    default Batch collate(List<Feature> features, NDManager manager, long batchIndex) {
        return collate(features, manager);
    }
}
