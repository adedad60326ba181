package dev.anneal.worker.model.causal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsTensor;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.train.AdamW;
import dev.anneal.worker.train.Autograd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checks of decoder-only models against the fixtures that genuine transformers computed. */
public final class CausalFixtures {
    /** Greedy ids are compared only before the first step whose top-1 margin is below this (fixtures/hf/README.md). */
    public static final double GREEDY_MARGIN = 1e-3;

    private CausalFixtures() {
    }

    /** Loads {@code dir} into a fresh {@code head} model; every stored tensor must be used and every parameter filled. */
    public static TransformerModel loadStrict(Path dir, HeadType head) throws IOException {
        return loadStrict(dir, HfConfig.read(dir), head);
    }

    public static TransformerModel loadStrict(Path dir, HfConfig config, HeadType head) throws IOException {
        TransformerModel model = ModelFamilies.create(config, head);
        LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
        assertEquals(List.of(), report.unexpected(), dir + ": unexpected tensors");
        assertEquals(List.of(), report.initialized(), dir + ": parameters without weights");
        return model;
    }

    /** Runs every case of a generated fixture's reference.json: forward outputs and losses, and greedy continuations. */
    public static void assertCases(HfReference reference, TransformerModel model) {
        int greedy = 0;
        for (JsonNode testCase : reference.cases()) {
            String where = reference.dir().getFileName() + "/" + testCase.get("name").asText();
            if (testCase.has("generated_ids")) {
                assertGreedy(where, testCase, model);
                greedy++;
                continue;
            }
            try (NDManager manager = NDManager.newBaseManager()) {
                Map<String, NDArray> inputs = HfReference.batch(testCase, manager, true);
                ModelOutput output = model.forward(new Batch(inputs), false);
                HfReference.assertOutputs(where, testCase, output, inputs.get("attention_mask"));
                if (!testCase.get("outputs").has("loss")) {
                    assertTrue(output.loss() == null, where + ": loss without labels");
                }
            }
        }
        if (model.head() == HeadType.CAUSAL_LM) {
            assertTrue(greedy > 0, reference.dir() + ": a causal LM fixture without a greedy case");
        }
    }

    /**
     * The greedy case: ids equal up to (not including) the first step whose reference margin is below
     * {@link #GREEDY_MARGIN}; the margins of the compared steps agree to 1e-4.
     */
    public static void assertGreedy(String where, JsonNode testCase, TransformerModel model) {
        long[] prompt = longs(testCase.get("prompt_ids"));
        long[] expected = longs(testCase.get("generated_ids"));
        JsonNode margins = testCase.get("top1_minus_top2");
        GreedyGeneration.Continuation got = GreedyGeneration.generate(model, prompt, expected.length,
                GreedyGeneration.eosTokenIds(model.config()));
        int comparable = 0;
        while (comparable < expected.length && margins.get(comparable).asDouble() >= GREEDY_MARGIN) {
            comparable++;
        }
        assertTrue(got.ids().length >= comparable, where + ": generated only " + got.ids().length + " ids");
        for (int i = 0; i < comparable; i++) {
            assertEquals(expected[i], got.ids()[i], where + ": greedy id " + i);
            assertEquals(margins.get(i).asDouble(), got.margins()[i], 1e-4, where + ": greedy margin " + i);
        }
        assertTrue(comparable > 0, where + ": no comparable greedy step");
    }

    /**
     * Saves the model, checks the written safetensors against HF's stored names, shapes and dtypes and the
     * config's architectures, and returns the saved directory.
     */
    public static Path saveAndCheckLayout(TransformerModel model, HfReference reference, Path out) throws IOException {
        Path saved = out.resolve("saved");
        HfCheckpoint.save(model, saved);
        SafetensorsReader written = SafetensorsReader.open(saved);
        Map<String, List<Long>> shapes = new TreeMap<>();
        for (String name : written.names()) {
            SafetensorsTensor tensor = written.tensor(name);
            assertEquals("F32", tensor.dtype().name(), name);
            List<Long> shape = new ArrayList<>();
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            shapes.put(name, shape);
        }
        assertEquals(new TreeMap<>(reference.storedShapes()), shapes, "stored tensors (names and shapes)");
        assertEquals("pt", written.metadata().get("format"));
        HfConfig config = HfConfig.read(saved);
        assertEquals(reference.modelClass(), config.getNode("architectures").get(0).asText());
        return saved;
    }

    /** The read-only public fixtures directory, or a skipped test when it is not there. */
    public static Path publicDir(String name) {
        String shared = System.getProperty("anneal.shared.dir");
        assumeTrue(shared != null, "anneal.shared.dir is not set; skipping the read-only public fixtures");
        Path dir = Path.of(shared, "hf-fixtures", "public", name);
        assumeTrue(Files.isDirectory(dir), "no public fixture at " + dir + "; skipping (a fresh clone has none)");
        return dir;
    }

    /** A config with every dropout that the public reference forced to 0 set to 0. */
    public static HfConfig withoutDropout(Path dir, JsonNode reference) throws IOException {
        HfConfig config = HfConfig.read(dir);
        reference.get("dropout_config_values_forced_to_0").fieldNames().forEachRemaining(k -> config.set(k, 0.0));
        return config;
    }

    /** Checks a public reference's tensor summary (shape, abs_sum, and values or first/last 16). */
    public static void assertSummary(String what, JsonNode expected, NDArray actual) {
        assertEquals(new Shape(longs(expected.get("shape"))), actual.getShape(), what + " shape");
        float[] flat = actual.toType(DataType.FLOAT32, false).toFloatArray();
        if (expected.has("values_row_major")) {
            assertCloseAt(expected.get("values_row_major"), flat, 0, what);
        } else {
            assertCloseAt(expected.get("first_16"), flat, 0, what + " first 16");
            assertCloseAt(expected.get("last_16"), flat, flat.length - 16, what + " last 16");
        }
        double absSum = actual.abs().toType(DataType.FLOAT64, false).sum().getDouble();
        double want = expected.get("abs_sum").asDouble();
        assertEquals(want, absSum, 1e-5 * want + 1e-5, what + " abs sum");
    }

    /** A public reference's logits summary of a single example: the tensor summary plus per-position argmax and logsumexp. */
    public static void assertLogitsSummary(JsonNode expected, NDArray logits) {
        assertSummary("logits", expected, logits);
        NDArray first = logits.get(0);
        assertArrayEquals(longs(expected.get("argmax_per_position")), first.argMax(-1).toLongArray(), "argmax per position");
        NDArray max = first.max(new int[] {-1}, true);
        float[] logsumexp = first.sub(max).exp().sum(new int[] {-1}).log().add(max.squeeze(-1)).toFloatArray();
        assertCloseAt(expected.get("logsumexp_per_position"), logsumexp, 0, "logsumexp per position");
        long seq = logits.getShape().get(1);
        assertCloseAt(expected.get("last_position_first_16"), first.get(seq - 1).get("0:16").toFloatArray(), 0, "last position");
    }

    /**
     * One SGD(lr=0.1) step over every parameter in train mode (tied weights updated once), as the public
     * reference made it: the train-mode loss, the global gradient norm and the loss afterwards.
     */
    public static void assertSgdStep(TransformerModel model, Batch batch, JsonNode sgd) {
        List<Parameter> params = List.copyOf(model.namedParameters().values());
        params.forEach(p -> p.getArray().setRequiresGradient(true));
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray loss = model.forward(batch, true).loss();
            assertRelative(sgd.get("loss_before").asDouble(), loss, 1e-5, "train-mode loss");
            collector.backward(loss);
        }
        double squares = 0;
        for (Parameter p : params) {
            squares += p.getArray().getGradient().toType(DataType.FLOAT64, false).square().sum().getDouble();
        }
        double expectedNorm = sgd.get("global_grad_l2_norm").asDouble();
        assertEquals(expectedNorm, Math.sqrt(squares), expectedNorm * 1e-4, "global gradient L2 norm");
        for (Parameter p : params) {
            NDArray array = p.getArray();
            array.subi(array.getGradient().mul(0.1f));
        }
        assertRelative(sgd.get("loss_after_1_step").asDouble(), model.forward(batch, false).loss(), 1e-4,
                "loss after one SGD step");
    }

    /**
     * The public reference's "adamw" run: torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8,
     * weight_decay=0) for 3 steps on the same batch in train mode, no clipping; the loss before each step
     * and after the last, relative 1e-4.
     */
    public static void assertAdamWSteps(TransformerModel model, Batch batch, JsonNode adamw) {
        JsonNode losses = adamw.get("losses_before_step_1_2_3_and_after_3");
        AdamW optimizer = new AdamW(0.9, 0.999, 1e-8);
        List<NDArray> trainable = new ArrayList<>();
        try (NDManager state = model.manager().newSubManager()) {
            model.namedParameters().forEach((name, p) -> {
                NDArray array = p.getArray();
                array.setRequiresGradient(true);
                trainable.add(array);
                optimizer.add(name, array, 0.0, state);
            });
            for (int step = 0; step < 3; step++) {
                NDArray loss = Autograd.recording(() -> model.forward(batch, true).loss());
                assertRelative(losses.get(step).asDouble(), loss, 1e-4, "loss before AdamW step " + (step + 1));
                Autograd.backward(loss);
                Autograd.paused(() -> optimizer.step(1e-3));
                Autograd.zeroGradients(trainable);
            }
            assertRelative(losses.get(3).asDouble(), model.forward(batch, false).loss(), 1e-4, "loss after 3 AdamW steps");
        }
    }

    public static void assertRelative(double expected, NDArray actual, double relative, String what) {
        assertEquals(expected, actual.toType(DataType.FLOAT64, false).getDouble(), Math.abs(expected) * relative, what);
    }

    /** A batch of one row with an all-ones attention mask (and the ids as labels when {@code withLabels}). */
    public static Map<String, NDArray> singleRow(NDManager manager, long[] ids, boolean withLabels) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray input = manager.create(ids, new Shape(1, ids.length));
        tensors.put("input_ids", input);
        tensors.put("attention_mask", input.onesLike());
        if (withLabels) {
            tensors.put("labels", input);
        }
        return tensors;
    }

    private static void assertCloseAt(JsonNode expected, float[] actual, int offset, String what) {
        for (int i = 0; i < expected.size(); i++) {
            double want = expected.get(i).asDouble();
            assertEquals(want, actual[offset + i], 1e-5 + 1e-5 * Math.abs(want), what + " element " + (offset + i));
        }
    }

    public static long[] longs(JsonNode values) {
        long[] data = new long[values.size()];
        for (int i = 0; i < data.length; i++) {
            data[i] = values.get(i).asLong();
        }
        return data;
    }
}
