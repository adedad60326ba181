package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The DJL block entry points and initialisation from a config alone. */
class TransformerModelApiTest {
    private static final Path CLASSIFIER = HfReference.generatedDir().resolve("bert/BertForSequenceClassification");

    @Test
    void djlForwardTakesNamedInputsAndReturnsNamedOutputs() throws IOException {
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(CLASSIFIER), HeadType.SEQUENCE_CLASSIFICATION);
                NDManager manager = NDManager.newBaseManager()) {
            HfCheckpoint.load(CLASSIFIER, model, LoadOptions.strict());
            Map<String, NDArray> inputs = HfReference.batch(HfReference.read(CLASSIFIER).cases().get(0), manager, true);
            NDArray expected = model.forward(new Batch(inputs), false).logits();

            NDList list = new NDList();
            inputs.forEach((name, array) -> {
                array.setName(name);
                list.add(array);
            });
            NDList out = model.forward(new ParameterStore(manager, false), list, false);
            assertEquals(List.of("loss", "logits"), List.of(out.get(0).getName(), out.get(1).getName()));
            assertArrayEquals(expected.toFloatArray(), out.get(1).toFloatArray());

            assertArrayEquals(new Shape[] {new Shape(4, 2)},
                    model.getOutputShapes(new Shape[] {new Shape(4, 9)}));
        }
    }

    @Test
    void aModelFromConfigAloneIsInitialisedLikeTransformers() throws IOException {
        Path dir = HfReference.generatedDir().resolve("bert/BertForMaskedLM");
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(dir), HeadType.MASKED_LM);
                NDManager manager = NDManager.newBaseManager()) {
            List<String> initialised = model.initializeMissingParameters(5);
            assertEquals(model.namedParameters().size(), initialised.size());
            assertEquals(List.of(), model.uninitializedParameters());
            float[] gamma = model.namedParameters().get("bert.embeddings.LayerNorm.weight").getArray().toFloatArray();
            float[] beta = model.namedParameters().get("cls.predictions.bias").getArray().toFloatArray();
            for (float g : gamma) {
                assertEquals(1f, g);
            }
            for (float b : beta) {
                assertEquals(0f, b);
            }
            NDArray words = model.namedParameters().get("bert.embeddings.word_embeddings.weight").getArray();
            assertEquals(0f, words.get(0).abs().sum().getFloat(), "padding row zeroed");
            Map<String, NDArray> inputs = HfReference.batch(HfReference.read(dir).cases().get(0), manager, true);
            NDArray loss = model.forward(new Batch(inputs), false).loss();
            // Random weights: the loss is near ln(vocab) but finite; the decoder uses the word embeddings.
            assertTrue(Float.isFinite(loss.getFloat()) && loss.getFloat() > 1, "loss " + loss.getFloat());
            assertEquals(DataType.FLOAT32, words.getDataType());
        }
    }
}
