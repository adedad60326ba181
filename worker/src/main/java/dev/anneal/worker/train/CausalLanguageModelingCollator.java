package dev.anneal.worker.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.task.Feature;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code DataCollatorForLanguageModeling(mlm=False)} for language-generation: pads the batch
 * and sets {@code labels} = input_ids with every pad-token position at -100; the model shifts labels itself.
 * As in Hugging Face, a real token equal to the pad token (GPT-2 pads with eos) is ignored too.
 */
public final class CausalLanguageModelingCollator implements Collator {
    private final long padTokenId;
    private final boolean padLeft;

    public CausalLanguageModelingCollator(CollatorSettings settings) {
        this.padTokenId = settings.padTokenId();
        this.padLeft = "left".equals(settings.paddingSide());
    }

    @Override
    public Batch collate(List<Feature> features, NDManager manager) {
        int length = Padding.longest(features, "input_ids");
        int rows = features.size();
        long[] ids = Padding.padded(features, "input_ids", length, padTokenId, padLeft);
        long[] labels = ids.clone();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == padTokenId) {
                labels[i] = -100;
            }
        }
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("input_ids", Padding.matrix(ids, rows, length, manager));
        tensors.put("attention_mask", Padding.matrix(
                Padding.padded(features, "attention_mask", length, 0, padLeft), rows, length, manager));
        if (features.get(0).longs().containsKey("token_type_ids")) {
            tensors.put("token_type_ids", Padding.matrix(
                    Padding.padded(features, "token_type_ids", length, 0, padLeft), rows, length, manager));
        }
        tensors.put("labels", Padding.matrix(labels, rows, length, manager));
        return new Batch(tensors);
    }
}
