package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.lora.LoraModel;
import dev.anneal.worker.model.lora.LoraTransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.tensor.GradientsSurviveGarbageCollectionTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The unchanged {@link TrainingLoop} trains a {@link LoraTransformerModel} as HF Trainer trained PEFT's model in
 * traces/lora-text-classification: from the trace's initial adapter, the same batches give PEFT's loss, learning
 * rate and grad norm at every step and its adapter statistics after steps 1 and 10, the frozen base stays bit
 * for bit what it was, and the adapter saved afterwards reloads to the same logits, which are PEFT's.
 */
class LoraTrainerTraceTest {
    private static final Path TRACE = HfTrainerTraceTest.TRACES.resolve("lora-text-classification");

    @Test
    void replaysPeftsTrainingAndSavesAnAdapterThatReloads(@TempDir Path out) throws Exception {
        JsonNode trace = new ObjectMapper().readTree(TRACE.resolve("trace.json").toFile());
        HfConfig config = HfConfig.read(TRACE.resolve("config_used.json"));
        Path base = HfTrainerTraceTest.FIXTURES.resolve(trace.at("/model/dir").asText());
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION);
                NDManager inputs = NDManager.newBaseManager()) {
            HfCheckpoint.load(base, model, LoadOptions.strict());
            LoraModel lora = LoraModel.load(model, TRACE.resolve("adapter_initial"));
            Map<String, byte[]> frozenBefore = frozenBytes(model, lora);
            TrainingArgs args = TrainingArgs.resolve(HfTrainerTraceTest.arguments(trace.get("resolved_training_arguments")));
            try (LoraTransformerModel adapted = new LoraTransformerModel(lora);
                    TrainingLoop loop = new TrainingLoop(adapted, HfTrainerTraceTest.features(trace.at("/dataset/processed")),
                            new PaddingCollator(0, "right"), args, new Cancellation())) {
                assertEquals(new TreeSet<>(names(trace.at("/lora/trainable_parameters"))),
                        new TreeSet<>(adapted.namedParameters().keySet()), "what the optimizer trains");
                HfTrainerTraceTest.replaySteps(trace, loop, adapted);
                Map<String, byte[]> frozenAfter = frozenBytes(model, lora);
                assertEquals(frozenBefore.keySet(), frozenAfter.keySet());
                frozenBefore.forEach((name, bytes) -> assertArrayEquals(bytes, frozenAfter.get(name), name + " changed"));

                Map<String, float[]> logits = new LinkedHashMap<>();
                for (String word : List.of("cat", "dog")) {
                    float[] values = adapted.forward(input(trace, word, inputs), false).logits().toFloatArray();
                    JsonNode expected = trace.at("/final/logits/" + word + "/logits");
                    for (int i = 0; i < expected.size(); i++) {
                        assertEquals(expected.get(i).asDouble(), values[i], 1e-5, word + " logit " + i + " (PEFT's)");
                    }
                    logits.put(word, values);
                }
                lora.save(out, base.toString());
                assertEquals(SafetensorsReader.open(TRACE.resolve("adapter/adapter_model.safetensors")).names(),
                        SafetensorsReader.open(out.resolve(LoraModel.WEIGHTS_FILE)).names(), "PEFT's saved names");
                try (TransformerModel fresh = ModelFamilies.create(config, HeadType.SEQUENCE_CLASSIFICATION)) {
                    HfCheckpoint.load(base, fresh, LoadOptions.strict());
                    LoraModel reloaded = LoraModel.load(fresh, out);
                    for (String word : logits.keySet()) {
                        assertArrayEquals(logits.get(word),
                                reloaded.forward(input(trace, word, inputs), false).logits().toFloatArray(), word);
                    }
                }

                // The adapters' constants survive a collection between forward and backward (see tensor.Scalars).
                Map<String, NDArray> batch = new LinkedHashMap<>(input(trace, "cat", inputs).tensors());
                batch.put("labels", inputs.create(new long[] {1}));
                GradientsSurviveGarbageCollectionTest.assertGradientsSurviveCollection(adapted, batch, () -> { }, "lora");
            }
        }
    }

    /** The base parameters LoRA freezes (all but the modules_to_save), as raw bytes. */
    private static Map<String, byte[]> frozenBytes(TransformerModel model, LoraModel lora) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        model.namedParameters().forEach((name, parameter) -> {
            if (!lora.trainableParameters().containsValue(parameter)) {
                out.put(name, parameter.getArray().toByteArray());
            }
        });
        assertFalse(out.isEmpty());
        return out;
    }

    private static List<String> names(JsonNode entries) {
        List<String> names = new ArrayList<>();
        entries.forEach(entry -> names.add(entry.get("name").asText()));
        return names;
    }

    private static Batch input(JsonNode trace, String word, NDManager manager) {
        long[] ids = HfTrainerTraceTest.longs(trace.at("/final/logits/" + word + "/input_ids"), manager).toLongArray();
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("input_ids", manager.create(ids, new Shape(1, ids.length)));
        tensors.put("attention_mask", manager.ones(new Shape(1, ids.length), DataType.INT64));
        return new Batch(tensors);
    }
}
