package dev.anneal.worker.hf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A Hugging Face {@code config.json} as a JSON tree with typed getters that fall back to defaults.
 *
 * <p>Reads both transformers-4 and transformers-5 spellings: {@code torch_dtype}/{@code dtype} and
 * {@code rope_theta}/{@code rope_parameters.rope_theta} are the same setting whichever file wrote them.
 * Values absent or JSON {@code null} count as unset, as in transformers.
 */
public final class HfConfig {
    public static final String FILE_NAME = "config.json";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Names transformers renamed between major versions: each maps to its other spelling. */
    private static final Map<String, String> ALIASES = Map.of("dtype", "torch_dtype", "torch_dtype", "dtype");

    private final ObjectNode root;

    private HfConfig(ObjectNode root) {
        this.root = root;
    }

    /** Reads {@code config.json} from a model directory (or the file itself when given a file). */
    public static HfConfig read(Path dirOrFile) throws IOException {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve(FILE_NAME) : dirOrFile;
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "no config.json: not a Hugging Face model directory");
        }
        JsonNode node;
        try {
            node = JSON.readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IOException(file + ": not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IOException(file + ": expected a JSON object at the top level");
        }
        return new HfConfig((ObjectNode) node);
    }

    /** A config from JSON text. */
    public static HfConfig parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("config JSON must be an object");
            }
            return new HfConfig((ObjectNode) node);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("config is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** An empty config (every getter returns its default). */
    public static HfConfig empty() {
        return new HfConfig(JsonNodeFactory.instance.objectNode());
    }

    /** {@code model_type}, e.g. "bert"; fails when the config has none. */
    public String modelType() {
        String type = getString("model_type", null);
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("config.json has no model_type");
        }
        return type;
    }

    /** True when {@code name} (or its other spelling) is present and not null. */
    public boolean has(String name) {
        return node(name) != null;
    }

    public int getInt(String name, int defaultValue) {
        JsonNode n = node(name);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isNumber() || !n.canConvertToInt() || (n.isFloatingPointNumber() && n.asDouble() != Math.rint(n.asDouble()))) {
            throw invalid(name, "an integer", n);
        }
        return n.asInt();
    }

    public long getLong(String name, long defaultValue) {
        JsonNode n = node(name);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isNumber() || !n.canConvertToLong()) {
            throw invalid(name, "an integer", n);
        }
        return n.asLong();
    }

    public double getDouble(String name, double defaultValue) {
        JsonNode n = node(name);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isNumber()) {
            throw invalid(name, "a number", n);
        }
        return n.asDouble();
    }

    public String getString(String name, String defaultValue) {
        JsonNode n = node(name);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isTextual()) {
            throw invalid(name, "a string", n);
        }
        return n.asText();
    }

    public boolean getBoolean(String name, boolean defaultValue) {
        JsonNode n = node(name);
        if (n == null) {
            return defaultValue;
        }
        if (!n.isBoolean()) {
            throw invalid(name, "true or false", n);
        }
        return n.asBoolean();
    }

    /** The raw JSON value (a copy), or null when unset. */
    public JsonNode getNode(String name) {
        JsonNode n = node(name);
        return n == null ? null : n.deepCopy();
    }

    /** {@code dtype} (transformers 5) or {@code torch_dtype} (transformers 4). */
    public String dtype(String defaultValue) {
        return getString("dtype", defaultValue);
    }

    /** {@code rope_theta} (transformers 4) or {@code rope_parameters.rope_theta} (transformers 5). */
    public double ropeTheta(double defaultValue) {
        JsonNode params = node("rope_parameters");
        if (params != null && params.isObject() && params.hasNonNull("rope_theta")) {
            return params.get("rope_theta").asDouble();
        }
        return getDouble("rope_theta", defaultValue);
    }

    /**
     * Number of labels the way transformers derives it: {@code num_labels} when written, else the size
     * of {@code id2label}, else 2.
     */
    public int numLabels() {
        if (has("num_labels")) {
            return getInt("num_labels", 2);
        }
        JsonNode id2label = node("id2label");
        if (id2label != null && id2label.isObject() && id2label.size() > 0) {
            return id2label.size();
        }
        return 2;
    }

    /** {@code id2label} as index to name, defaulting to LABEL_i like transformers. */
    public Map<Integer, String> id2label() {
        Map<Integer, String> labels = new TreeMap<>();
        JsonNode id2label = node("id2label");
        if (id2label != null && id2label.isObject() && id2label.size() > 0) {
            for (Iterator<Map.Entry<String, JsonNode>> it = id2label.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                try {
                    labels.put(Integer.parseInt(e.getKey().trim()), e.getValue().asText());
                } catch (NumberFormatException ex) {
                    throw new IllegalArgumentException("config id2label: key '" + e.getKey() + "' is not an integer");
                }
            }
            return labels;
        }
        for (int i = 0; i < numLabels(); i++) {
            labels.put(i, "LABEL_" + i);
        }
        return labels;
    }

    /**
     * Sets {@code name}; value may be null (JSON null), a String, Number, Boolean, a JsonNode, a List or
     * a Map (converted by Jackson). Writing {@code dtype} or {@code torch_dtype} drops the other spelling.
     */
    public HfConfig set(String name, Object value) {
        String other = ALIASES.get(name);
        if (other != null) {
            root.remove(other);
        }
        root.set(name, value == null ? JsonNodeFactory.instance.nullNode() : JSON.valueToTree(value));
        return this;
    }

    /** Removes {@code name} (and its other spelling). */
    public HfConfig remove(String name) {
        root.remove(name);
        String other = ALIASES.get(name);
        if (other != null) {
            root.remove(other);
        }
        return this;
    }

    /** Sets {@code architectures} to the single class name, as save_pretrained writes it. */
    public HfConfig setArchitecture(String className) {
        ArrayNode array = JsonNodeFactory.instance.arrayNode();
        array.add(className);
        root.set("architectures", array);
        return this;
    }

    public List<String> names() {
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        return names;
    }

    public HfConfig copy() {
        return new HfConfig(root.deepCopy());
    }

    /** The JSON text with sorted keys and two-space indent, as save_pretrained writes it. */
    public String toJson() {
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter(
                Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("")
                        .withArrayEmptySeparator(""))
                .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                .withArrayIndenter(new DefaultIndenter("  ", "\n"));
        try {
            return JSON.writer(printer).writeValueAsString(sorted(root)) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code config.json} into {@code dir} atomically (temp file in the same directory, then move). */
    public void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        AtomicFiles.write(dir.resolve(FILE_NAME), toJson().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return root.toString();
    }

    private JsonNode node(String name) {
        JsonNode n = root.get(name);
        if ((n == null || n.isNull()) && ALIASES.containsKey(name)) {
            n = root.get(ALIASES.get(name));
        }
        return n == null || n.isNull() || n.isMissingNode() ? null : n;
    }

    private static IllegalArgumentException invalid(String name, String expected, JsonNode actual) {
        return new IllegalArgumentException("config " + name + ": expected " + expected + ", got " + actual);
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            node.fields().forEachRemaining(e -> fields.put(e.getKey(), sorted(e.getValue())));
            ObjectNode out = JsonNodeFactory.instance.objectNode();
            new LinkedHashMap<>(fields).forEach(out::set);
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JsonNodeFactory.instance.arrayNode();
            node.forEach(child -> out.add(sorted(child)));
            return out;
        }
        return node;
    }
}
