package dev.anneal.worker.train;

import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.List;

/** Turns a list of unpadded features into one model batch, as a Hugging Face data collator does. */
public interface Collator {
    Batch collate(List<Feature> features, NDManager manager);
}
