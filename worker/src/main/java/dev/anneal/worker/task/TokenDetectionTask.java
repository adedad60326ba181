package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.LanguageModelingCollator;

/**
 * token-detection: ELECTRA-style training on {@link TextsTask} data. The batches are masked exactly as for
 * masked LM (txtai uses the same collator); the model,
 * {@link dev.anneal.worker.model.tokendetection.TokenDetectionModel} (a masked-LM generator plus a
 * {@link HeadType#PRETRAINING} discriminator from the same base), samples the replacements and computes
 * generator + 50 x discriminator loss. Only families with both heads (ELECTRA) can run it;
 * LOAD_CONFIG_AND_TOKENIZER refuses the others by the missing head.
 */
public final class TokenDetectionTask extends TextsTask {
    public TokenDetectionTask(TextMerge merge) {
        super(merge);
    }

    @Override
    public Task kind() {
        return Task.TOKEN_DETECTION;
    }

    /** The discriminator's head; the generator is a {@link HeadType#MASKED_LM} of the same family. */
    @Override
    public HeadType head() {
        return HeadType.PRETRAINING;
    }

    @Override
    public Collator collator(CollatorSettings settings) {
        return new LanguageModelingCollator(settings);
    }
}
