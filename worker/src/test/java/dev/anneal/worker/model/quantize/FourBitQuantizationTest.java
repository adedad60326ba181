package dev.anneal.worker.model.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.lora.LoraConfig;
import dev.anneal.worker.model.lora.LoraModel;
import dev.anneal.worker.model.lora.LoraTransformerModel;
import dev.anneal.worker.tensor.GradientsSurviveGarbageCollectionTest;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 4-bit weights against a blockwise round trip written out here in plain Java from bitsandbytes' definition
 * (blocks of 64 of the flattened weight, absmax scale, nearest of the type's sixteen values, value x scale):
 * the stored weight dequantizes to exactly that, and a quantized model computes what the same model computes
 * with its weights replaced by that round trip, to float32 rounding (1e-5). How far that is from the
 * full-precision model is the quantization error itself, which is only checked to be there.
 */
class FourBitQuantizationTest {
    private static final Path BERT = HfReference.generatedDir().resolve("bert/BertForSequenceClassification");

    @ParameterizedTest
    @EnumSource(FourBitType.class)
    void dequantizesToTheIndependentRoundTrip(FourBitType type) {
        Random random = new Random(7);
        float[] values = new float[37 * 50]; // 1850: the last block is padded
        for (int i = 0; i < values.length; i++) {
            values[i] = i >= 64 && i < 128 ? 0f : (float) (random.nextGaussian() * 0.02); // block 1 is all zero
        }
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = manager.create(values, new Shape(37, 50));
            FourBitWeight quantized = FourBitWeight.quantize(weight, type);
            float[] actual = quantized.dequantize(manager).toFloatArray();
            float[] expected = roundTrip(values, type.code());
            for (int i = 0; i < values.length; i++) {
                assertEquals(expected[i], actual[i], 0f, "weight " + i);
            }
            assertEquals(29 * 64 / 2 + 29 * Float.BYTES, quantized.bytes(), "two indices a byte plus one scale a block");
        }
    }

    @ParameterizedTest
    @EnumSource(FourBitType.class)
    void aQuantizedModelComputesWithTheRoundTrippedWeights(FourBitType type) throws Exception {
        JsonNode testCase = HfReference.read(BERT).cases().get(0);
        try (TransformerModel quantized = load(); TransformerModel reference = load(); TransformerModel full = load();
                NDManager inputs = NDManager.newBaseManager()) {
            FourBitQuantizer.Report report = FourBitQuantizer.quantize(quantized, type, Set.of("classifier"));
            Map<String, Linear> layers = linearLayers(reference);
            assertEquals(layers.keySet().stream().filter(n -> !n.startsWith("classifier")).toList(), report.layers());
            for (String name : report.layers()) {
                NDArray weight = layers.get(name).weight().getArray();
                weight.set(roundTrip(weight.toFloatArray(), type.code()));
                assertFalse(quantized.namedParameters().get(name + ".weight").isInitialized(),
                        name + ": the full-precision weight is freed");
            }
            assertTrue(quantized.namedParameters().get("classifier.weight").isInitialized(), "the head is kept");
            assertTrue(report.ratio() > 6, "4-bit weights take " + report.ratio() + "x less memory, not ~7x");

            Batch batch = new Batch(HfReference.batch(testCase, inputs, false));
            float[] actual = quantized.forward(batch, false).logits().toFloatArray();
            float[] expected = reference.forward(batch, false).logits().toFloatArray();
            float[] unquantized = full.forward(batch, false).logits().toFloatArray();
            double error = 0;
            for (int i = 0; i < actual.length; i++) {
                assertEquals(expected[i], actual[i], 1e-5, "logit " + i);
                error = Math.max(error, Math.abs(unquantized[i] - actual[i]));
            }
            // The quantization error itself (about 0.2 on this random-init model): the weights did change.
            assertTrue(error > 1e-3, type + ": max |logit - fp32 logit| = " + error);
        }
    }

    @ParameterizedTest
    @EnumSource(FourBitType.class)
    void loraGradientsOnA4BitBaseSurviveACollectionBeforeBackward(FourBitType type) throws Exception {
        JsonNode testCase = HfReference.read(BERT).cases().get(0);
        try (TransformerModel model = load(); NDManager inputs = NDManager.newBaseManager()) {
            FourBitQuantizer.quantize(model, type, Set.of("classifier"));
            LoraModel lora = LoraModel.apply(model, LoraConfig.forHead(HeadType.SEQUENCE_CLASSIFICATION, 4, 8, 0.1,
                    null), 5);
            try (LoraTransformerModel adapted = new LoraTransformerModel(lora)) {
                adapted.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
                GradientsSurviveGarbageCollectionTest.assertGradientsSurviveCollection(adapted,
                        HfReference.batch(testCase, inputs, true), () -> Engine.getInstance().setRandomSeed(3),
                        "qlora " + type);
            }
        }
    }

    /** bitsandbytes' blockwise 4-bit round trip, element by element. */
    static float[] roundTrip(float[] values, float[] code) {
        float[] out = new float[values.length];
        for (int start = 0; start < values.length; start += FourBitWeight.BLOCK_SIZE) {
            int end = Math.min(values.length, start + FourBitWeight.BLOCK_SIZE);
            float absmax = 0;
            for (int i = start; i < end; i++) {
                absmax = Math.max(absmax, Math.abs(values[i]));
            }
            float scale = Math.max(absmax, Float.MIN_NORMAL);
            for (int i = start; i < end; i++) {
                float normalized = values[i] / scale;
                int nearest = 0;
                for (int c = 1; c < code.length; c++) {
                    if (Math.abs(normalized - code[c]) < Math.abs(normalized - code[nearest])) {
                        nearest = c;
                    }
                }
                out[i] = code[nearest] * absmax;
            }
        }
        return out;
    }

    private static TransformerModel load() throws Exception {
        TransformerModel model = ModelFamilies.create(HfConfig.read(BERT), HeadType.SEQUENCE_CLASSIFICATION);
        HfCheckpoint.load(BERT, model, LoadOptions.strict());
        return model;
    }

    private static Map<String, Linear> linearLayers(TransformerModel model) {
        Map<String, NamedBlock> modules = new LinkedHashMap<>();
        model.visitModules("", modules::put);
        Map<String, Linear> out = new LinkedHashMap<>();
        modules.forEach((name, module) -> {
            if (module instanceof Linear linear) {
                out.put(name, linear);
            }
        });
        return out;
    }
}
