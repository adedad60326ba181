package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The compute type is a setting: a float32 checkpoint runs and saves in float16 when asked; bfloat16 is refused cleanly. */
class ComputeTypeTest {
    private static final Path DIR = HfReference.generatedDir().resolve("bert/BertForSequenceClassification");

    @Test
    void float16WeightsGiveCloseLogitsAndSaveAsF16(@TempDir Path out) throws IOException {
        try (TransformerModel full = ModelFamilies.create(HfConfig.read(DIR), HeadType.SEQUENCE_CLASSIFICATION);
                TransformerModel half = ModelFamilies.create(HfConfig.read(DIR), HeadType.SEQUENCE_CLASSIFICATION);
                NDManager manager = NDManager.newBaseManager()) {
            HfCheckpoint.load(DIR, full, LoadOptions.strict());
            IllegalArgumentException bf16 = assertThrows(IllegalArgumentException.class,
                    () -> half.setComputeType(DataType.BFLOAT16));
            assertTrue(bf16.getMessage().contains("bfloat16"), bf16.getMessage());
            half.setComputeType(DataType.FLOAT16);
            HfCheckpoint.load(DIR, half, LoadOptions.strict());
            assertEquals(DataType.FLOAT16, half.namedParameters().get("classifier.weight").getArray().getDataType());

            Batch batch = new Batch(HfReference.batch(HfReference.read(DIR).cases().get(0), manager, true));
            NDArray expected = full.forward(batch, false).logits();
            ModelOutput output = half.forward(batch, false);
            NDArray logits = output.logits().toType(DataType.FLOAT32, false);
            float worst = logits.sub(expected).abs().max().getFloat();
            assertTrue(worst < 0.1f, "fp16 logits within 0.1 of fp32, worst " + worst);
            assertTrue(Float.isFinite(output.loss().toType(DataType.FLOAT32, false).getFloat()));

            HfCheckpoint.save(half, out.resolve("f16"));
            assertEquals("F16", SafetensorsReader.open(out.resolve("f16")).tensor("classifier.weight").dtype().name());
            assertEquals("float16", HfConfig.read(out.resolve("f16")).dtype(null));

            IllegalStateException late = assertThrows(IllegalStateException.class, () -> full.setComputeType(DataType.FLOAT16));
            assertTrue(late.getMessage().contains("before loading"), late.getMessage());
        }
    }
}
