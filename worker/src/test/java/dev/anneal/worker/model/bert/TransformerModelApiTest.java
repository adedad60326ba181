package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

    @Test
    void inputsLongerThanThePositionTableAreRefusedByName() throws IOException {
        Path roberta = HfReference.generatedDir().resolve("roberta/RobertaModel");
        try (TransformerModel bert = ModelFamilies.create(HfConfig.read(CLASSIFIER), HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel model = ModelFamilies.create(HfConfig.read(roberta), HeadType.BASE);
                NDManager manager = NDManager.newBaseManager()) {
            HfCheckpoint.load(CLASSIFIER, bert, LoadOptions.strict());
            HfCheckpoint.load(roberta, model, LoadOptions.strict());
            Batch tooLong = new Batch(Map.of("input_ids", manager.ones(new Shape(1, 129), DataType.INT64)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> bert.forward(tooLong, false));
            assertTrue(e.getMessage().contains("max_position_embeddings 128"), e.getMessage());
            // RoBERTa counts positions from padding_idx + 1 = 2: 128 real tokens fit its 130 positions, 129 do not.
            Batch fits = new Batch(Map.of("input_ids", manager.full(new Shape(1, 128), 5L)));
            assertEquals(new Shape(1, 128, 32), model.forward(fits, false).get("last_hidden_state").getShape());
            Batch over = new Batch(Map.of("input_ids", manager.full(new Shape(1, 129), 5L)));
            assertThrows(IllegalArgumentException.class, () -> model.forward(over, false));
            // Padding keeps position padding_idx, so a long but mostly padded batch is fine, as in transformers.
            long[] ids = new long[129];
            java.util.Arrays.fill(ids, 1L);
            ids[0] = 0;
            ids[1] = 5;
            Batch padded = new Batch(Map.of("input_ids", manager.create(ids, new Shape(1, 129))));
            assertEquals(new Shape(1, 129, 32), model.forward(padded, false).get("last_hidden_state").getShape());
        }
    }
}
