package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Forward-pass time of a causal LM on a batch of 8 x 128 random ids with labels (eval mode, loss
 * included), median of 5 runs after 2 warm-up runs, wall and process CPU time; printed, not asserted.
 * Models: the generated fixtures, the public ones when ../shared is there, and randomly initialised
 * gpt2 (124M) and Llama (~110M, GQA) sized configs. Opt-in, because it takes CPU others share:
 * {@code -Danneal.benchmark=true}.
 */
class CausalForwardTimingTest {
    static Stream<Arguments> models() {
        return Stream.of(
                Arguments.of("generated/gpt2/GPT2LMHeadModel"),
                Arguments.of("generated/llama/LlamaForCausalLM"),
                Arguments.of("public/gpt2-trustyai-GPT2Model"),
                Arguments.of("public/llama-stories260K-pretrained"),
                Arguments.of("config:{\"model_type\":\"gpt2\",\"vocab_size\":50257}"),
                Arguments.of("config:{\"model_type\":\"llama\",\"vocab_size\":32000,\"hidden_size\":768,\"intermediate_size\":2048,"
                        + "\"num_hidden_layers\":12,\"num_attention_heads\":12,\"num_key_value_heads\":4}"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void forwardOfEightByOneHundredTwentyEight(String source) throws IOException {
        assumeTrue(Boolean.getBoolean("anneal.benchmark"), "timing is opt-in: -Danneal.benchmark=true");
        try (TransformerModel model = open(source); NDManager manager = NDManager.newBaseManager()) {
            int vocab = model.config().getInt("vocab_size", 0);
            long[] ids = new long[8 * 128];
            Random random = new Random(0);
            for (int i = 0; i < ids.length; i++) {
                ids[i] = random.nextInt(vocab);
            }
            long[] nanos = new long[7];
            long[] cpuNanos = new long[7];
            for (int run = 0; run < nanos.length; run++) {
                // inputs and every intermediate live in a per-run manager, freed after the run
                try (NDManager scope = manager.newSubManager()) {
                    Map<String, NDArray> tensors = new LinkedHashMap<>();
                    NDArray input = scope.create(ids, new Shape(8, 128));
                    tensors.put("input_ids", input);
                    tensors.put("attention_mask", input.onesLike());
                    tensors.put("labels", input);
                    long start = System.nanoTime();
                    long cpuStart = processCpuNanos();
                    NDArray loss = model.forward(new Batch(tensors), false).loss();
                    float value = loss.toType(DataType.FLOAT32, false).getFloat();
                    nanos[run] = System.nanoTime() - start;
                    cpuNanos[run] = processCpuNanos() - cpuStart;
                    assertFalse(Float.isNaN(value));
                }
            }
            long[] measured = Arrays.copyOfRange(nanos, 2, nanos.length);
            Arrays.sort(measured);
            long[] cpu = Arrays.copyOfRange(cpuNanos, 2, cpuNanos.length);
            Arrays.sort(cpu);
            System.out.printf("%s (%s) forward 8x128 with loss: wall median %.1f ms, fastest %.1f ms; process CPU median %.1f ms"
                    + " (wall of all runs, ms: %s)%n", model.architecture(), source, measured[2] / 1e6, measured[0] / 1e6,
                    cpu[2] / 1e6, Arrays.stream(nanos).mapToObj(n -> String.format("%.1f", n / 1e6)).toList());
        }
    }

    private static TransformerModel open(String source) throws IOException {
        if (source.startsWith("config:")) {
            TransformerModel model = ModelFamilies.create(HfConfig.parse(source.substring("config:".length())), HeadType.CAUSAL_LM);
            model.initializeMissingParameters(0);
            return model;
        }
        String name = source.substring(source.indexOf('/') + 1);
        Path dir = source.startsWith("generated/") ? HfReference.generatedDir().resolve(name) : CausalFixtures.publicDir(name);
        return CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
    }

    /** CPU time of the whole process (all threads, libtorch's included): less disturbed by other load than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
