package dev.anneal.worker.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.train.Autograd;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward must not read memory the Java garbage collector freed after the forward pass. Every generated
 * fixture that has a loss runs forward, then a collection that frees every unreachable direct buffer and
 * fills fresh small buffers with NaN (so memory just freed is reused with poison), then backward: the
 * gradients must equal, bit for bit, those of the same forward and backward without the collection in
 * between. A constant wrapped by DJL over a Java buffer and kept by autograd (see {@link Scalars}) fails it.
 */
public class GradientsSurviveGarbageCollectionTest {
    static Stream<Path> modelsWithLoss() {
        return Stream.of("bert", "roberta", "electra", "distilbert", "gpt2", "llama", "t5", "bart").flatMap(family -> {
            try {
                return HfReference.generatedModels(family).filter(dir -> hasLabels(dir));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @ParameterizedTest
    @MethodSource("modelsWithLoss")
    void gradientsAreTheSameWhenCollectionAndReuseHappenBeforeBackward(Path dir) throws Exception {
        HfReference reference = HfReference.read(dir);
        HfConfig config = HfConfig.read(dir);
        HeadType head = ModelFamilies.forModelType(config.modelType()).headFor(reference.modelClass()).orElseThrow();
        try (TransformerModel model = ModelFamilies.create(config, head); NDManager inputs = NDManager.newBaseManager()) {
            HfCheckpoint.load(dir, model, LoadOptions.strict());
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            Map<String, NDArray> batch = HfReference.batch(reference.cases().get(0), inputs, true);
            assertGradientsSurviveCollection(model, batch, () -> { }, dir.getFileName().toString());
        }
    }

    /**
     * Runs forward and backward twice, once with a collection that poisons freed memory in between, and
     * asserts bit-identical, non-zero gradients. {@code beforeForward} runs before each forward (e.g. to seed
     * a model that samples).
     */
    public static void assertGradientsSurviveCollection(TransformerModel model, Map<String, NDArray> batch,
            Runnable beforeForward, String where) throws InterruptedException {
        beforeForward.run();
        Map<String, float[]> quiet = gradients(model, batch, false);
        beforeForward.run();
        Map<String, float[]> collected = gradients(model, batch, true);
        assertTrue(quiet.values().stream().anyMatch(GradientsSurviveGarbageCollectionTest::nonZero),
                where + ": the loss has gradients");
        for (Map.Entry<String, float[]> entry : quiet.entrySet()) {
            float[] expected = entry.getValue();
            float[] actual = collected.get(entry.getKey());
            for (int i = 0; i < expected.length; i++) {
                if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                    assertEquals(expected[i], actual[i], where + " " + entry.getKey() + "[" + i
                            + "] changed when garbage was collected between forward and backward");
                }
            }
        }
    }

    private static Map<String, float[]> gradients(TransformerModel model, Map<String, NDArray> batch, boolean collect)
            throws InterruptedException {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = model.manager().newSubManager()) {
            Map<String, NDArray> scoped = new LinkedHashMap<>();
            batch.forEach((name, array) -> scoped.put(name, array.duplicate()));
            scoped.values().forEach(array -> array.attach(scope));
            NDArray loss = Autograd.recording(() -> model.forward(new Batch(scoped), false).loss());
            List<ByteBuffer> poison = collect ? collectAndPoison() : List.of();
            Autograd.backward(loss);
            Reference.reachabilityFence(poison);
            for (Map.Entry<String, Parameter> entry : model.namedParameters().entrySet()) {
                out.put(entry.getKey(), entry.getValue().getArray().getGradient().toFloatArray());
            }
            Autograd.zeroGradients(model.namedParameters().values().stream().map(Parameter::getArray).toList());
        }
        return out;
    }

    /** Frees every unreachable direct buffer, then takes small blocks back filled with NaN. */
    private static List<ByteBuffer> collectAndPoison() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(50);
        }
        List<ByteBuffer> poison = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(i % 2 == 0 ? 4 : 8).order(ByteOrder.nativeOrder());
            while (buffer.remaining() >= 4) {
                buffer.putFloat(Float.NaN);
            }
            poison.add(buffer);
        }
        return poison;
    }

    private static boolean hasLabels(Path dir) {
        try {
            JsonNode first = HfReference.read(dir).cases().get(0);
            return first.has("labels") || first.has("start_positions");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean nonZero(float[] values) {
        for (float v : values) {
            if (v != 0) {
                return true;
            }
        }
        return false;
    }
}
