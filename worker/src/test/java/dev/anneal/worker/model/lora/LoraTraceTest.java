package dev.anneal.worker.model.lora;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LoRA against PEFT's own run in traces/lora-text-classification (txtai + PEFT 0.21 on the generated BERT). */
class LoraTraceTest {
    private static final Path TRACE = HfReference.generatedDir().getParent().resolve("traces/lora-text-classification");
    private static final Path BASE = HfReference.generatedDir().resolve("bert/BertForSequenceClassification");

    private JsonNode trace;
    private TransformerModel model;
    private NDManager manager;

    @BeforeEach
    void load() throws IOException {
        trace = new ObjectMapper().readTree(TRACE.resolve("trace.json").toFile());
        model = ModelFamilies.create(HfConfig.read(TRACE.resolve("config_used.json")), HeadType.SEQUENCE_CLASSIFICATION);
        HfCheckpoint.load(BASE, model, LoadOptions.strict());
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
        model.close();
    }

    @Test
    void allLinearTargetsAndTrainableNamesMatchPeft() {
        LoraModel lora = LoraModel.apply(model, LoraConfig.forHead(HeadType.SEQUENCE_CLASSIFICATION, 16, 8, 0.0, null), 42);
        List<String> peftTargets = new ArrayList<>();
        trace.at("/lora/peft_config/target_modules").forEach(t -> peftTargets.add(t.asText()));
        assertEquals(new TreeSet<>(peftTargets), new TreeSet<>(lora.targetModules()));

        List<String> peftTrainable = new ArrayList<>();
        trace.at("/lora/trainable_parameters").forEach(t -> peftTrainable.add(t.get("name").asText()));
        assertEquals(new TreeSet<>(peftTrainable), new TreeSet<>(lora.trainableParameters().keySet()));
        long count = lora.trainableParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
        assertEquals(trace.at("/lora/trainable_parameter_count").asLong(), count);
        assertEquals(0.5, lora.config().scaling());

        // B starts at zero: the adapted model computes what the base computes.
        Map<String, NDArray> inputs = finalInputs("cat");
        NDArray adapted = lora.forward(new Batch(inputs), false).logits();
        lora.detach();
        assertArrayEquals(model.forward(new Batch(inputs), false).logits().toFloatArray(), adapted.toFloatArray());
    }

    @Test
    void trainedAdapterReproducesPeftsFinalLogits() throws IOException {
        LoraModel lora = LoraModel.load(model, TRACE.resolve("adapter"));
        for (String word : List.of("cat", "dog")) {
            JsonNode expected = trace.at("/final/logits/" + word + "/logits");
            float[] logits = lora.forward(new Batch(finalInputs(word)), false).logits().toFloatArray();
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i).asDouble(), logits[i], 1e-5, word + " logit " + i);
            }
        }
    }

    @Test
    void savesPeftsLayoutAndReloads(@TempDir Path out) throws IOException {
        LoraModel lora = LoraModel.load(model, TRACE.resolve("adapter"));
        float[] before = lora.forward(new Batch(finalInputs("cat")), false).logits().toFloatArray();
        lora.save(out, "generated/bert/BertForSequenceClassification");
        assertEquals(SafetensorsReader.open(TRACE.resolve("adapter/adapter_model.safetensors")).names(),
                SafetensorsReader.open(out.resolve("adapter_model.safetensors")).names());
        LoraConfig saved = LoraConfig.read(out);
        assertEquals(16, saved.r());
        assertEquals(List.of("classifier", "score"), saved.modulesToSave());
        lora.detach();
        try (TransformerModel fresh = ModelFamilies.create(HfConfig.read(BASE), HeadType.SEQUENCE_CLASSIFICATION)) {
            HfCheckpoint.load(BASE, fresh, LoadOptions.strict());
            LoraModel reloaded = LoraModel.load(fresh, out);
            assertArrayEquals(before, reloaded.forward(new Batch(finalInputs("cat")), false).logits().toFloatArray());
        }
    }

    @Test
    void onlyAdaptersAndTheHeadReceiveGradients() {
        LoraModel lora = LoraModel.apply(model, LoraConfig.forHead(HeadType.SEQUENCE_CLASSIFICATION, 4, 8, 0.1, List.of("query", "value")), 3);
        assertEquals(List.of("bert.encoder.layer.0.attention.self.query", "bert.encoder.layer.0.attention.self.value",
                "bert.encoder.layer.1.attention.self.query", "bert.encoder.layer.1.attention.self.value"), lora.targetModules());
        Map<String, NDArray> inputs = finalInputs("dog");
        inputs.put("labels", manager.create(new long[] {1}));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(lora.forward(new Batch(inputs), true).loss());
        }
        for (Map.Entry<String, Parameter> e : lora.trainableParameters().entrySet()) {
            assertTrue(e.getValue().getArray().hasGradient(), e.getKey());
        }
        Parameter frozen = model.namedParameters().get("bert.encoder.layer.0.attention.self.query.weight");
        assertFalse(frozen.requiresGradient());
        assertFalse(frozen.getArray().hasGradient(), "base weights are frozen");
        // B starts at zero, so at the first step only B learns (dL/dA is proportional to B), as in PEFT.
        String query = "base_model.model.bert.encoder.layer.0.attention.self.query";
        assertTrue(lora.trainableParameters().get(query + ".lora_B.default.weight").getArray().getGradient().abs().sum().getFloat() > 0);
        assertEquals(0f, lora.trainableParameters().get(query + ".lora_A.default.weight").getArray().getGradient().abs().sum().getFloat());
    }

    @Test
    void refusesTargetsThatAreNotLinearLayersOrMatchNothing() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> LoraModel.apply(model,
                LoraConfig.forHead(HeadType.SEQUENCE_CLASSIFICATION, 4, 8, 0, List.of("c_attn")), 1));
        assertTrue(none.getMessage().contains("c_attn"), none.getMessage());
        IllegalArgumentException notLinear = assertThrows(IllegalArgumentException.class, () -> LoraModel.apply(model,
                LoraConfig.forHead(HeadType.SEQUENCE_CLASSIFICATION, 4, 8, 0, List.of("LayerNorm")), 1));
        assertTrue(notLinear.getMessage().contains("not a linear layer"), notLinear.getMessage());
    }

    private Map<String, NDArray> finalInputs(String word) {
        JsonNode ids = trace.at("/final/logits/" + word + "/input_ids");
        long[] values = new long[ids.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = ids.get(i).asLong();
        }
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", manager.create(values, new Shape(1, values.length)));
        inputs.put("attention_mask", manager.ones(new Shape(1, values.length), DataType.INT64));
        return inputs;
    }
}
