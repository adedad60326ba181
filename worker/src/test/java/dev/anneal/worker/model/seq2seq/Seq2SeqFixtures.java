package dev.anneal.worker.model.seq2seq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checks of encoder-decoder models against the seq2seq cases of a generated fixture's reference.json. */
public final class Seq2SeqFixtures {
    private Seq2SeqFixtures() {
    }

    /** The read-only public fixtures directory, or a skipped test when it is absent. */
    public static Path publicDir() {
        String shared = System.getProperty("anneal.shared.dir");
        assumeTrue(shared != null, "anneal.shared.dir is not set; skipping the read-only public fixtures");
        Path dir = Path.of(shared, "hf-fixtures", "public");
        assumeTrue(Files.isDirectory(dir), "no public fixtures at " + dir + "; skipping (a fresh clone has none)");
        return dir;
    }

    /** Loads {@code dir} strictly: every parameter from the file, no unused stored tensor. */
    public static TransformerModel load(Path dir, HeadType head) throws IOException {
        TransformerModel model = ModelFamilies.create(HfConfig.read(dir), head);
        LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
        assertEquals(List.of(), report.unexpected(), "unexpected tensors");
        assertEquals(List.of(), report.initialized(), "parameters without weights");
        return model;
    }

    /**
     * Runs the "pairs" case twice (decoder inputs derived from labels, and given explicitly) and the
     * "greedy" case, comparing everything transformers recorded.
     */
    public static void assertCases(HfReference reference, TransformerModel model) {
        for (JsonNode testCase : reference.cases()) {
            String where = reference.dir().getFileName() + "/" + testCase.get("name").asText();
            switch (testCase.get("name").asText()) {
                case "pairs" -> {
                    assertPairs(where + " (labels only)", testCase, model, false);
                    assertPairs(where + " (decoder_input_ids given)", testCase, model, true);
                }
                case "greedy" -> assertGreedy(where, testCase, (Seq2SeqLanguageModel) model);
                default -> throw new AssertionError(where + ": unknown seq2seq case");
            }
        }
    }

    static void assertPairs(String where, JsonNode testCase, TransformerModel model, boolean giveDecoderInputs) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Map<String, NDArray> inputs = new LinkedHashMap<>(HfReference.batch(testCase, manager, false));
            NDArray labels = longs(manager, testCase.get("labels"));
            inputs.put("labels", labels);
            NDArray expectedDecoderIds = longs(manager, testCase.get("decoder_input_ids"));
            Seq2SeqLanguageModel seq2seq = (Seq2SeqLanguageModel) model;
            NDArray shifted = Seq2SeqLabels.shiftRight(labels, seq2seq.decoderStartTokenId(), seq2seq.padTokenId());
            assertArrayEquals(expectedDecoderIds.toLongArray(), shifted.toLongArray(), where + ": shift right of labels");
            if (giveDecoderInputs) {
                inputs.put("decoder_input_ids", expectedDecoderIds);
            }
            ModelOutput output = model.forward(new Batch(inputs), false);
            JsonNode expected = testCase.get("outputs");
            assertEquals(new Shape(shape(expected.get("logits_shape"))), output.logits().getShape(), where + ": logits shape");
            HfReference.assertClose(where + ": encoder_last_hidden_state", expected.get("encoder_last_hidden_state"),
                    output.get("encoder_last_hidden_state"));
            long[] labelValues = labels.toLongArray();
            long length = labels.getShape().get(1);
            for (int b = 0; b < expected.get("logits_unpadded").size(); b++) {
                List<Long> positions = new ArrayList<>();
                for (int t = 0; t < length; t++) {
                    if (labelValues[(int) (b * length + t)] != -100) {
                        positions.add((long) t);
                    }
                }
                NDArray index = manager.create(positions.stream().mapToLong(Long::longValue).toArray());
                NDArray rows = output.logits().get(b).get(index);
                HfReference.assertClose(where + ": logits[" + b + "] (labelled positions)", expected.get("logits_unpadded").get(b), rows);
            }
            assertNotNull(output.loss(), where + ": no loss with labels");
            double want = expected.get("loss").asDouble();
            assertEquals(want, output.loss().toType(DataType.FLOAT64, false).getDouble(), Math.abs(want) * HfReference.LOSS_REL,
                    where + ": loss");
        }
    }

    static void assertGreedy(String where, JsonNode testCase, Seq2SeqLanguageModel model) {
        assertEquals(testCase.get("decoder_start_token_id").asLong(), model.decoderStartTokenId(), where + ": decoder start");
        try (NDManager manager = NDManager.newBaseManager()) {
            long[] prompt = longArray(testCase.get("prompt_ids"));
            NDArray ids = manager.create(prompt, new Shape(1, prompt.length));
            NDArray mask = manager.ones(new Shape(1, prompt.length), DataType.INT64);
            long[] expected = longArray(testCase.get("generated_ids"));
            GreedySeq2SeqGenerator.Generation generation = GreedySeq2SeqGenerator.generate(model, ids, mask, expected.length);
            long[] actual = generation.tokens(0);
            JsonNode margins = testCase.get("top1_minus_top2");
            int safe = 0;
            while (safe < expected.length && margins.get(safe).asDouble() >= 1e-3) {
                safe++;
            }
            assertTrue(safe > 0, where + ": no step has a safe margin; the case proves nothing");
            // Up to the first step whose margin is under 1e-3 the argmax cannot flip: those ids agree exactly.
            assertTrue(actual.length >= safe, where + ": generated only " + actual.length + " tokens, expected " + safe);
            assertArrayEquals(java.util.Arrays.copyOf(expected, safe), java.util.Arrays.copyOf(actual, safe),
                    where + ": greedy ids (first " + safe + " steps)");
            for (int i = 0; i < Math.min(safe, actual.length); i++) {
                assertEquals(margins.get(i).asDouble(), generation.margins(0)[i], 1e-4, where + ": margin at step " + i);
            }
        }
    }

    /** Saves, checks the file has exactly HF's stored names, shapes and F32, reloads and re-runs the cases. */
    public static void assertRoundTrip(HfReference reference, Path dir, HeadType head, Path out) throws IOException {
        Path saved = out.resolve("saved");
        try (TransformerModel model = load(dir, head)) {
            HfCheckpoint.save(model, saved);
        }
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
        assertEquals(new TreeMap<>(reference.storedShapes()), shapes, "saved tensor names and shapes");
        HfConfig config = HfConfig.read(saved);
        assertEquals(reference.modelClass(), config.getNode("architectures").get(0).asText());
        try (TransformerModel reloaded = load(saved, head)) {
            reference.assertParameterStatistics(reloaded);
            assertCases(reference, reloaded);
        }
    }

    /** A [rows][columns] JSON array of ints as an int64 array. */
    public static NDArray rows(NDManager manager, JsonNode rows) {
        return longs(manager, rows);
    }

    static NDArray longs(NDManager manager, JsonNode rows) {
        long[] flat = new long[rows.size() * rows.get(0).size()];
        int i = 0;
        for (JsonNode row : rows) {
            for (JsonNode v : row) {
                flat[i++] = v.asLong();
            }
        }
        return manager.create(flat, new Shape(rows.size(), rows.get(0).size()));
    }

    public static long[] longArray(JsonNode values) {
        long[] out = new long[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i).asLong();
        }
        return out;
    }

    private static long[] shape(JsonNode node) {
        return longArray(node);
    }
}
