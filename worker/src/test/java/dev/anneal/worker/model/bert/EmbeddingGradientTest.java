package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Gradients reach the embedding tables the way nn.Embedding(padding_idx=...) lets them. */
class EmbeddingGradientTest {
    @Test
    void paddingRowGetsNoGradientAndTiedDecoderAddsToWordEmbeddings() throws IOException {
        Path dir = HfReference.generatedDir().resolve("bert/BertForMaskedLM");
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(dir), HeadType.MASKED_LM);
                NDManager manager = NDManager.newBaseManager()) {
            HfCheckpoint.load(dir, model, LoadOptions.strict());
            Map<String, NDArray> inputs = HfReference.batch(HfReference.read(dir).cases().get(0), manager, true);
            assertTrue(inputs.get("input_ids").eq(0).any().getBoolean(), "the batch has [PAD] (id 0) positions");
            NDArray words = model.namedParameters().get("bert.embeddings.word_embeddings.weight").getArray();
            NDArray positions = model.namedParameters().get("bert.embeddings.position_embeddings.weight").getArray();
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                collector.backward(model.forward(new Batch(inputs), true).loss());
            }
            // Row 0 is [PAD]: its lookups add nothing, but the tied decoder scores it for every position.
            NDArray grads = words.getGradient();
            assertTrue(grads.get(0).abs().sum().getFloat() > 0, "decoder half of the tied weight reaches row 0");
            try (TransformerModel base = ModelFamilies.create(HfConfig.read(dir), HeadType.SEQUENCE_CLASSIFICATION)) {
                HfCheckpoint.load(dir, base, LoadOptions.initializeMissing(3));
                NDArray w = base.namedParameters().get("bert.embeddings.word_embeddings.weight").getArray();
                base.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
                Map<String, NDArray> classify = HfReference.batch(HfReference.read(dir).cases().get(0), manager, false);
                classify.put("labels", manager.create(new long[] {0, 1, 0}));
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(base.forward(new Batch(classify), true).loss());
                }
                assertEquals(0f, w.getGradient().get(0).abs().sum().getFloat(), "padding_idx row receives no gradient");
                assertTrue(w.getGradient().get(2).abs().sum().getFloat() > 0, "[CLS] row does");
            }
            assertTrue(positions.getGradient().abs().sum().getFloat() > 0);
        }
    }
}
