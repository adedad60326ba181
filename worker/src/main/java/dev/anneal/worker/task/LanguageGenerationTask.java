package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.train.CausalLanguageModelingCollator;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;

/** language-generation: causal LM on {@link TextsTask} data; labels = input ids with padding ignored. */
public final class LanguageGenerationTask extends TextsTask {
    public LanguageGenerationTask(TextMerge merge) {
        super(merge);
    }

    @Override
    public Task kind() {
        return Task.LANGUAGE_GENERATION;
    }

    @Override
    public HeadType head() {
        return HeadType.CAUSAL_LM;
    }

    @Override
    public Collator collator(CollatorSettings settings) {
        return new CausalLanguageModelingCollator(settings);
    }
}
