package dev.anneal.helm;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** helm lint --strict: warnings fail, values are checked against values.schema.json. */
class ChartLintTest {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @Test
    void chartLintsStrictWithItsDefaultValues() {
        LintResult result = new Helm(AnnealChart.chartDir()).lint().strict().call();

        assertFalse(result.isFailed(), () -> "helm lint --strict failed: " + result.getMessages());
    }

    /** helm lint takes no values file, so lint a copy of the chart whose values.yaml is defaults + GPU example. */
    @Test
    void chartLintsStrictWithTheGpuExample(@TempDir Path tmp) throws IOException {
        Path copy = tmp.resolve("anneal");
        copyTree(AnnealChart.chartDir(), copy);
        Map<String, Object> values = read(copy.resolve("values.yaml"));
        deepMerge(values, read(AnnealChart.gpuValues()));
        YAML.writeValue(copy.resolve("values.yaml").toFile(), values);

        LintResult result = new Helm(copy).lint().strict().call();

        assertFalse(result.isFailed(), () -> "helm lint --strict with values-gpu.yaml failed: " + result.getMessages());
        assertTrue(Files.readString(copy.resolve("values.yaml")).contains("nvidia.com/gpu"), "the GPU example was merged");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> read(Path yaml) throws IOException {
        return YAML.readValue(yaml.toFile(), LinkedHashMap.class);
    }

    /** Helm's own rule: maps merge key by key, anything else (lists included) is replaced. */
    @SuppressWarnings("unchecked")
    private static void deepMerge(Map<String, Object> base, Map<String, Object> overlay) {
        overlay.forEach((key, value) -> {
            Object current = base.get(key);
            if (current instanceof Map && value instanceof Map) {
                deepMerge((Map<String, Object>) current, (Map<String, Object>) value);
            } else {
                base.put(key, value);
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path source : (Iterable<Path>) paths::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
