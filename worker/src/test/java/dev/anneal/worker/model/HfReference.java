package dev.anneal.worker.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** A generated fixture's reference.json (made by genuine transformers) and the checks against it. */
public final class HfReference {
    /** Forward outputs: absolute 1e-5 plus relative 1e-5 (fixtures/hf/README.md). */
    public static final double OUTPUT_ABS = 1e-5;
    public static final double OUTPUT_REL = 1e-5;
    public static final double LOSS_REL = 1e-5;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> INPUT_KEYS = List.of("input_ids", "attention_mask", "token_type_ids");
    private static final List<String> LABEL_KEYS = List.of("labels", "start_positions", "end_positions");

    private final Path dir;
    private final JsonNode root;

    private HfReference(Path dir, JsonNode root) {
        this.dir = dir;
        this.root = root;
    }

    /** The copied generated fixtures: {@code <repo>/fixtures/hf/generated}. */
    public static Path generatedDir() {
        String configured = System.getProperty("anneal.fixtures.dir");
        Path base = configured != null ? Paths.get(configured) : Paths.get("..", "fixtures", "hf");
        return base.resolve("generated").toAbsolutePath().normalize();
    }

    /** Every model directory of a family under generated/, e.g. family "bert". */
    public static Stream<Path> generatedModels(String family) throws IOException {
        Path root = generatedDir().resolve(family);
        assertTrue(Files.isDirectory(root), "fixture directory missing: " + root);
        return Files.list(root).filter(p -> Files.isRegularFile(p.resolve("reference.json"))).sorted();
    }

    public static HfReference read(Path dir) throws IOException {
        return new HfReference(dir, JSON.readTree(dir.resolve("reference.json").toFile()));
    }

    public Path dir() {
        return dir;
    }

    public String modelClass() {
        return root.get("model_class").asText();
    }

    public JsonNode cases() {
        return root.get("cases");
    }

    /**
     * The inputs of one case (and its labels when {@code withLabels}) as int64 arrays.
     *
     * <p>token_type_ids are left out: the generated references were computed by transformers without
     * them (as zeros). For single texts they are zeros anyway; for pairs (BertModel/pairs,
     * BertForSequenceClassification/pairs, BertForQuestionAnswering/qa) feeding the encoding's type ids
     * changes every output by O(1) while all outputs agree to 1e-6 without them, in every pair case.
     * {@code BertTokenTypeTest} checks separately that type ids are used when given.
     */
    public static Map<String, NDArray> batch(JsonNode testCase, NDManager manager, boolean withLabels) {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        JsonNode encoding = testCase.get("encoding");
        for (String key : INPUT_KEYS) {
            if (encoding.has(key) && !key.equals("token_type_ids")) {
                tensors.put(key, toArray(encoding.get(key), manager, DataType.INT64));
            }
        }
        if (withLabels) {
            for (String key : LABEL_KEYS) {
                if (testCase.has(key)) {
                    JsonNode labels = testCase.get(key);
                    DataType type = isIntegral(labels) ? DataType.INT64 : DataType.FLOAT32;
                    tensors.put(key, toArray(labels, manager, type));
                }
            }
        }
        return tensors;
    }

    /** Compares every output of the case (and the loss, when expected) with the model's. */
    public static void assertOutputs(String where, JsonNode testCase, ModelOutput output, NDArray attentionMask) {
        JsonNode expected = testCase.get("outputs");
        int compared = 0;
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            switch (name) {
                case "loss" -> {
                    assertNotNull(output.loss(), where + ": model computed no loss");
                    double actual = output.loss().toType(DataType.FLOAT64, false).getDouble();
                    double want = e.getValue().asDouble();
                    assertEquals(want, actual, Math.abs(want) * LOSS_REL, where + ": loss");
                }
                case "logits_shape" -> assertEquals(new Shape(longs(e.getValue())), output.logits().getShape(), where + ": logits shape");
                case "logits_unpadded" -> assertUnpadded(where, e.getValue(), output.logits(), attentionMask);
                default -> {
                    NDArray actual = output.get(name);
                    assertClose(where + ": " + name, e.getValue(), actual);
                }
            }
            compared++;
        }
        assertTrue(compared > 0, where + ": nothing compared");
    }

    /** Compares the sum and L2 norm of every state-dict tensor, following tied names to their stored tensor. */
    public void assertParameterStatistics(TransformerModel model) {
        Map<String, Parameter> params = model.namedParameters();
        Map<String, String> ties = model.tiedParameters();
        JsonNode expected = root.get("parameters");
        List<String> problems = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode stats = e.getValue();
            String stored = params.containsKey(name) ? name : ties.get(name);
            if (stored == null) {
                problems.add(name + ": the model has no such parameter");
                continue;
            }
            if (!stats.get("in_safetensors").asBoolean()) {
                if (!stats.get("tied_to").asText().equals(stored)) {
                    problems.add(name + ": tied to " + stored + ", HF ties it to " + stats.get("tied_to").asText());
                }
            } else if (!params.containsKey(name)) {
                problems.add(name + ": stored by HF but tied in the model");
            }
            NDArray array = params.get(stored).getArray().toType(DataType.FLOAT64, false);
            if (!array.getShape().equals(new Shape(longs(stats.get("shape"))))) {
                problems.add(name + ": shape " + array.getShape() + " vs " + stats.get("shape"));
                continue;
            }
            double sum = array.sum().getDouble();
            double l2 = Math.sqrt(array.square().sum().getDouble());
            if (!statClose(sum, stats.get("sum").asDouble(), stats.get("l2").asDouble())) {
                problems.add(name + ": sum " + sum + " vs " + stats.get("sum").asDouble());
            }
            if (!statClose(l2, stats.get("l2").asDouble(), stats.get("l2").asDouble())) {
                problems.add(name + ": l2 " + l2 + " vs " + stats.get("l2").asDouble());
            }
        }
        List<String> inReference = new ArrayList<>();
        expected.fieldNames().forEachRemaining(inReference::add);
        for (String name : params.keySet()) {
            if (!expected.has(name)) {
                problems.add(name + ": not a parameter of the HF model");
            }
        }
        if (!problems.isEmpty()) {
            fail(dir.getFileName() + ": " + problems.size() + " parameter problems:\n  " + String.join("\n  ", problems));
        }
    }

    /** HF's stored tensors (in_safetensors) with their shapes. */
    public Map<String, List<Long>> storedShapes() {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        root.get("parameters").fields().forEachRemaining(e -> {
            if (e.getValue().get("in_safetensors").asBoolean()) {
                List<Long> shape = new ArrayList<>();
                e.getValue().get("shape").forEach(d -> shape.add(d.asLong()));
                out.put(e.getKey(), shape);
            }
        });
        return out;
    }

    private static boolean statClose(double actual, double expected, double scale) {
        // 7 significant digits in the file; the sum of a centred tensor may be tiny next to its L2.
        return Math.abs(actual - expected) <= 1e-6 * Math.abs(expected) + 1e-7 * Math.max(1, scale) + 1e-7;
    }

    private static void assertUnpadded(String where, JsonNode perExample, NDArray logits, NDArray attentionMask) {
        long[] lengths = attentionMask.sum(new int[] {1}).toLongArray();
        for (int b = 0; b < perExample.size(); b++) {
            NDArray rows = logits.get(b).get("0:" + lengths[b]);
            assertClose(where + ": logits[" + b + "] (unpadded)", perExample.get(b), rows);
        }
    }

    /** Element-wise |actual - expected| <= 1e-5 + 1e-5 |expected| with the same shape. */
    public static void assertClose(String where, JsonNode expected, NDArray actual) {
        List<Long> shape = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        flatten(expected, 0, shape, values);
        assertEquals(new Shape(shape.stream().mapToLong(Long::longValue).toArray()), actual.getShape(), where + ": shape");
        double[] got = actual.toType(DataType.FLOAT64, false).toDoubleArray();
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < got.length; i++) {
            double want = values.get(i);
            double excess = Math.abs(got[i] - want) - (OUTPUT_ABS + OUTPUT_REL * Math.abs(want));
            if (excess > worst) {
                worst = excess;
                worstAt = i;
            }
        }
        if (worstAt >= 0) {
            fail(where + ": element " + worstAt + " is " + got[worstAt] + ", expected " + values.get(worstAt)
                    + " (beyond 1e-5 abs + 1e-5 rel)");
        }
    }

    private static void flatten(JsonNode node, int depth, List<Long> shape, List<Double> values) {
        if (node.isArray()) {
            if (shape.size() == depth) {
                shape.add((long) node.size());
            }
            for (JsonNode child : node) {
                flatten(child, depth + 1, shape, values);
            }
        } else {
            values.add(node.asDouble());
        }
    }

    private static NDArray toArray(JsonNode node, NDManager manager, DataType type) {
        List<Long> shape = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        flatten(node, 0, shape, values);
        Shape s = new Shape(shape.stream().mapToLong(Long::longValue).toArray());
        if (type == DataType.INT64) {
            return manager.create(values.stream().mapToLong(Double::longValue).toArray(), s);
        }
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            floats[i] = values.get(i).floatValue();
        }
        return manager.create(floats, s);
    }

    private static boolean isIntegral(JsonNode node) {
        if (node.isArray()) {
            for (JsonNode child : node) {
                if (!isIntegral(child)) {
                    return false;
                }
            }
            return true;
        }
        return node.isIntegralNumber();
    }

    private static long[] longs(JsonNode array) {
        long[] out = new long[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asLong();
        }
        return out;
    }
}
