package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.hf.HfConfig;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** GPT-2 and Llama run in float16 when asked: logits close to float32, a float32 loss, the same greedy ids. */
class CausalComputeTypeTest {
    @ParameterizedTest
    @ValueSource(strings = {"gpt2/GPT2LMHeadModel", "llama/LlamaForCausalLM"})
    void float16ForwardStaysCloseToFloat32(String fixture) throws IOException {
        Path dir = HfReference.generatedDir().resolve(fixture);
        HfReference reference = HfReference.read(dir);
        try (TransformerModel full = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
                TransformerModel half = ModelFamilies.create(HfConfig.read(dir), HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
            half.setComputeType(DataType.FLOAT16);
            HfCheckpoint.load(dir, half, LoadOptions.strict());
            Batch batch = new Batch(HfReference.batch(reference.cases().get(0), manager, true));
            ModelOutput expected = full.forward(batch, false);
            ModelOutput output = half.forward(batch, false);
            assertEquals(DataType.FLOAT16, output.logits().getDataType());
            NDArray logits = output.logits().toType(DataType.FLOAT32, false);
            NDArray mask = batch.get("attention_mask").expandDims(-1).toType(DataType.FLOAT32, false);
            float worst = logits.sub(expected.logits()).mul(mask).abs().max().getFloat();
            float scale = expected.logits().abs().max().getFloat();
            assertTrue(worst < 0.02f * scale, "fp16 logits within 2% of the largest fp32 logit, worst " + worst + " of " + scale);
            assertEquals(DataType.FLOAT32, output.loss().getDataType());
            float loss = expected.loss().getFloat();
            assertEquals(loss, output.loss().getFloat(), 0.01 * loss);
        }
    }
}
