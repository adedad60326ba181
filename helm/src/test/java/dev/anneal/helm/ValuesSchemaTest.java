package dev.anneal.helm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** values.schema.json: Helm refuses to render values with unknown keys or wrong types, and says where. */
class ValuesSchemaTest {

    @Test
    void unknownTopLevelKeyIsRejected() {
        assertRejected(Map.of("gpus", 1), "additional properties 'gpus' not allowed");
    }

    @Test
    void misspelledNestedKeyIsRejected() {
        String message = assertRejected(Map.of("worker.gpu", 1), "additional properties 'gpu' not allowed");
        assertTrue(message.contains("/worker"), message);
    }

    @Test
    void wrongTypeIsRejected() {
        String message = assertRejected(Map.of("worker.gpus", "two"), "want integer");
        assertTrue(message.contains("/worker/gpus"), message);
    }

    @Test
    void negativeGpuCountIsRejected() {
        assertRejected(Map.of("worker.gpus", -1), "/worker/gpus");
    }

    @Test
    void unknownPullPolicyIsRejected() {
        assertRejected(Map.of("worker.imagePullPolicy", "Sometimes"), "/worker/imagePullPolicy");
    }

    @Test
    void unknownSchedulerIsRejected() {
        assertRejected(Map.of("gateway.scheduler", "slurm"), "/gateway/scheduler");
    }

    @Test
    void misspelledTolerationFieldIsRejected(@TempDir Path tmp) throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, String.join("\n",
                "worker:",
                "  tolerations:",
                "    - key: nvidia.com/gpu",
                "      operator: Exists",
                "      effects: NoSchedule",
                ""));

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> AnnealChart.render(values));
        assertTrue(error.getMessage().contains("additional properties 'effects' not allowed"), error.getMessage());
    }

    @Test
    void nonStringNodeSelectorValueIsRejected(@TempDir Path tmp) throws IOException {
        Path values = tmp.resolve("values.yaml");
        Files.writeString(values, "worker:\n  nodeSelector:\n    gpu-count: 1\n");

        IllegalStateException error = assertThrows(IllegalStateException.class, () -> AnnealChart.render(values));
        assertTrue(error.getMessage().contains("/worker/nodeSelector/gpu-count"), error.getMessage());
    }

    @Test
    void malformedPendingTimeoutIsRejected() {
        assertRejected(Map.of("worker.pendingTimeout", "fifteen minutes"), "/worker/pendingTimeout");
    }

    /** Every object in the schema either lists its keys and allows no others, or is a map with typed values. */
    @Test
    void everyObjectInTheSchemaIsClosedOrATypedMap() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(AnnealChart.chartDir().resolve("values.schema.json").toFile());
        List<String> open = new ArrayList<>();
        collectOpenObjects(schema, "#", open);

        assertTrue(open.isEmpty(), () -> "objects that accept unknown keys: " + open);
    }

    private static void collectOpenObjects(JsonNode node, String path, List<String> open) {
        if (node.isObject()) {
            boolean isObjectSchema = "object".equals(node.path("type").asText()) || node.has("properties");
            JsonNode additional = node.get("additionalProperties");
            boolean closed = additional != null && (additional.isBoolean() ? !additional.asBoolean() : additional.isObject());
            if (isObjectSchema && !closed) {
                open.add(path);
            }
            node.fields().forEachRemaining(field -> collectOpenObjects(field.getValue(), path + "/" + field.getKey(), open));
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectOpenObjects(node.get(i), path + "/" + i, open);
            }
        }
    }

    private static String assertRejected(Map<String, Object> sets, String expected) {
        IllegalStateException error = assertThrows(IllegalStateException.class, () -> AnnealChart.render(sets));
        String message = error.getMessage();
        assertTrue(message.contains("values don't meet the specifications of the schema"), message);
        assertTrue(message.contains(expected), () -> "expected '" + expected + "' in: " + message);
        return message;
    }
}
