package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Forward-pass time (the public fixtures only when ../shared is there) of a causal LM on a batch of 8 x 128 random ids with labels (eval mode, loss
 * included), median of 5 runs after 2 warm-up runs, wall and process CPU time; printed, not asserted (the machine is shared).
 */
class CausalForwardTimingTest {
    /** CPU time of the whole process (all threads, libtorch's included): less disturbed by other load than wall time. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @ParameterizedTest
    @ValueSource(strings = {"generated/gpt2/GPT2LMHeadModel", "generated/llama/LlamaForCausalLM",
            "public/gpt2-trustyai-GPT2Model", "public/llama-stories260K-pretrained"})
    void forwardOfEightByOneHundredTwentyEight(String fixture) throws IOException {
        String name = fixture.substring(fixture.indexOf('/') + 1);
        Path dir = fixture.startsWith("generated/") ? HfReference.generatedDir().resolve(name) : CausalFixtures.publicDir(name);
        try (TransformerModel model = CausalFixtures.loadStrict(dir, HeadType.CAUSAL_LM);
                NDManager manager = NDManager.newBaseManager()) {
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
                    assertEquals(false, Float.isNaN(value));
                }
            }
            long[] measured = Arrays.copyOfRange(nanos, 2, nanos.length);
            Arrays.sort(measured);
            long[] cpu = Arrays.copyOfRange(cpuNanos, 2, cpuNanos.length);
            Arrays.sort(cpu);
            System.out.printf("%s (%s) forward 8x128 with loss: wall median %.1f ms, fastest %.1f ms; process CPU median %.1f ms"
                    + " (wall of all runs, ms: %s)%n", model.architecture(), fixture, measured[2] / 1e6, measured[0] / 1e6,
                    cpu[2] / 1e6, Arrays.stream(nanos).mapToObj(n -> String.format("%.1f", n / 1e6)).toList());
        }
    }
}
