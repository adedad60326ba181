package dev.anneal.worker.model.seq2seq;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forward-pass time (eval, with labels) for a batch of 8 x 128 source and 8 x 128 target tokens, on the
 * generated fixtures and on randomly initialised t5-small / bart-base sized configs. Opt-in, because it
 * takes CPU others share: {@code -Danneal.benchmark=true}.
 */
class Seq2SeqForwardTimingTest {
    private static final Logger LOG = LoggerFactory.getLogger(Seq2SeqForwardTimingTest.class);

    static Stream<Arguments> models() throws IOException {
        return Stream.of(
                Arguments.of("generated t5", HfConfig.read(HfReference.generatedDir().resolve("t5/T5ForConditionalGeneration"))),
                Arguments.of("generated bart", HfConfig.read(HfReference.generatedDir().resolve("bart/BartForConditionalGeneration"))),
                Arguments.of("t5-small size", HfConfig.parse("{\"model_type\":\"t5\",\"vocab_size\":32128,\"d_model\":512,"
                        + "\"d_kv\":64,\"d_ff\":2048,\"num_layers\":6,\"num_heads\":8}")),
                Arguments.of("bart-base size", HfConfig.parse("{\"model_type\":\"bart\",\"vocab_size\":50265,\"d_model\":768,"
                        + "\"encoder_layers\":6,\"decoder_layers\":6,\"encoder_attention_heads\":12,\"decoder_attention_heads\":12,"
                        + "\"encoder_ffn_dim\":3072,\"decoder_ffn_dim\":3072,\"max_position_embeddings\":1024}")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void forwardEightByOneTwentyEight(String name, HfConfig config) {
        assumeTrue(Boolean.getBoolean("anneal.benchmark"), "timing is opt-in: -Danneal.benchmark=true");
        int vocab = config.getInt("vocab_size", 1000);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            model.initializeMissingParameters(0);
            Random random = new Random(0);
            long[] source = random.longs(8 * 128, 3, vocab).toArray();
            long[] target = random.longs(8 * 128, 3, vocab).toArray();
            Map<String, NDArray> inputs = Map.of(
                    "input_ids", manager.create(source, new Shape(8, 128)),
                    "attention_mask", manager.ones(new Shape(8, 128), ai.djl.ndarray.types.DataType.INT64),
                    "labels", manager.create(target, new Shape(8, 128)));
            long best = Long.MAX_VALUE;
            for (int run = 0; run < 4; run++) {
                try (NDManager scope = manager.newSubManager()) {
                    Map<String, NDArray> batch = Map.of("input_ids", inputs.get("input_ids").duplicate(),
                            "attention_mask", inputs.get("attention_mask").duplicate(), "labels", inputs.get("labels").duplicate());
                    batch.values().forEach(a -> a.attach(scope));
                    long start = System.nanoTime();
                    NDArray logits = model.forward(new Batch(batch), false).logits();
                    assertEquals(new Shape(8, 128, vocab), logits.getShape());
                    logits.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).sum().getFloat(); // force completion
                    long elapsed = System.nanoTime() - start;
                    if (run > 0) {
                        best = Math.min(best, elapsed);
                    }
                }
            }
            long params = model.namedParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
            LOG.info("forward 8x128 {} ({} parameters): best of 3 after warm-up {} ms", name, params, best / 1_000_000);
        }
    }
}
