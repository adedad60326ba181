package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.LanguageModelingCollator;

/** language-modeling: masked LM on {@link TextsTask} data, masked by {@link LanguageModelingCollator}. */
public final class LanguageModelingTask extends TextsTask {
    public LanguageModelingTask(TextMerge merge) {
        super(merge);
    }

    @Override
    public Task kind() {
        return Task.LANGUAGE_MODELING;
    }

    @Override
    public HeadType head() {
        return HeadType.MASKED_LM;
    }

    @Override
    public Collator collator(CollatorSettings settings) {
        return new LanguageModelingCollator(settings);
    }
}
