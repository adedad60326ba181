package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.layers.Linear;
import java.util.LinkedHashMap;
import java.util.Map;

/** The outputs and losses that the encoder families' task heads share. */
final class HeadOutputs {
    private HeadOutputs() {
    }

    /** Sequence classification logits [batch, labels]; loss by problem_type when labels are given. */
    static ModelOutput sequenceClassification(HfConfig config, NDArray logits, Batch batch) {
        NDArray loss = batch.has("labels") ? HfLosses.sequenceClassification(config, logits, batch.get("labels")) : null;
        return new ModelOutput(loss, Map.of("logits", logits));
    }

    /** Per-token logits [batch, seq, labels]; cross entropy skipping -100 labels. */
    static ModelOutput tokenClassification(NDArray logits, Batch batch) {
        NDArray loss = batch.has("labels") ? HfLosses.crossEntropy(logits, batch.get("labels")) : null;
        return new ModelOutput(loss, Map.of("logits", logits));
    }

    /** Masked LM logits [batch, seq, vocab]; cross entropy skipping -100 labels. */
    static ModelOutput maskedLm(NDArray logits, Batch batch) {
        return tokenClassification(logits, batch);
    }

    /** Start and end logits from a [hidden -> 2] projection; the averaged span loss when positions are given. */
    static ModelOutput questionAnswering(Linear qaOutputs, NDArray hidden, Batch batch) {
        NDList split = qaOutputs.forward(hidden).split(new long[] {1}, 2);
        NDArray start = split.get(0).squeeze(-1);
        NDArray end = split.get(1).squeeze(-1);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("start_logits", start);
        tensors.put("end_logits", end);
        NDArray loss = batch.has("start_positions") && batch.has("end_positions")
                ? HfLosses.spanLoss(start, end, batch.get("start_positions"), batch.get("end_positions"))
                : null;
        return new ModelOutput(loss, tensors);
    }

    /** The bare backbone's outputs. */
    static ModelOutput base(BertBackbone.Output out) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("last_hidden_state", out.lastHiddenState());
        if (out.pooled() != null) {
            tensors.put("pooler_output", out.pooled());
        }
        return new ModelOutput(null, tensors);
    }
}
