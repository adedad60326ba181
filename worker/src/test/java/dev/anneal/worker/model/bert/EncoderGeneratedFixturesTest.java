package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsTensor;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.HeadType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every generated BERT, RoBERTa, ELECTRA and DistilBERT checkpoint against the outputs genuine transformers computed for it. */
class EncoderGeneratedFixturesTest {
    static Stream<Path> models() throws IOException {
        return Stream.of("bert", "roberta", "electra", "distilbert").flatMap(family -> {
            try {
                return HfReference.generatedModels(family);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    /** The head whose transformers class is {@code modelClass}, in the family of {@code modelType}. */
    static HeadType headOf(String modelType, String modelClass) {
        return ModelFamilies.forModelType(modelType).headFor(modelClass)
                .orElseThrow(() -> new AssertionError("no head for " + modelClass));
    }

    static HeadType headOf(Path dir, String modelClass) throws IOException {
        return headOf(HfConfig.read(dir).modelType(), modelClass);
    }

    static TransformerModel load(Path dir, HeadType head) throws IOException {
        TransformerModel model = ModelFamilies.create(HfConfig.read(dir), head);
        LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
        assertEquals(List.of(), report.unexpected(), "unexpected tensors");
        assertEquals(List.of(), report.initialized(), "parameters without weights");
        return model;
    }

    @ParameterizedTest
    @MethodSource("models")
    void reproducesTransformersOutputsAndParameters(Path dir) throws IOException {
        HfReference reference = HfReference.read(dir);
        try (TransformerModel model = load(dir, headOf(dir, reference.modelClass()))) {
            assertEquals(reference.modelClass(), model.architecture());
            reference.assertParameterStatistics(model);
            assertCases(reference, model);
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void savesTransformersNamesAndReloadsToTheSameOutputs(Path dir, @TempDir Path out) throws IOException {
        HfReference reference = HfReference.read(dir);
        HeadType head = headOf(dir, reference.modelClass());
        Path saved = out.resolve("saved");
        try (TransformerModel model = load(dir, head)) {
            HfCheckpoint.save(model, saved);
        }
        SafetensorsReader written = SafetensorsReader.open(saved);
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        for (String name : written.names()) {
            SafetensorsTensor tensor = written.tensor(name);
            assertEquals("F32", tensor.dtype().name(), name);
            List<Long> shape = new ArrayList<>();
            for (long d : tensor.shape()) {
                shape.add(d);
            }
            shapes.put(name, shape);
        }
        assertEquals(new java.util.TreeMap<>(reference.storedShapes()), new java.util.TreeMap<>(shapes));
        assertEquals("pt", written.metadata().get("format"));
        HfConfig config = HfConfig.read(saved);
        assertEquals(reference.modelClass(), config.getNode("architectures").get(0).asText());
        try (TransformerModel reloaded = load(saved, head)) {
            reference.assertParameterStatistics(reloaded);
            assertCases(reference, reloaded);
        }
    }

    static void assertCases(HfReference reference, TransformerModel model) {
        for (JsonNode testCase : reference.cases()) {
            String where = reference.dir().getFileName() + "/" + testCase.get("name").asText();
            try (NDManager manager = NDManager.newBaseManager()) {
                Map<String, NDArray> inputs = HfReference.batch(testCase, manager, true);
                ModelOutput output = model.forward(new Batch(inputs), false);
                HfReference.assertOutputs(where, testCase, output, inputs.get("attention_mask"));
                if (!testCase.get("outputs").has("loss")) {
                    assertTrue(output.loss() == null, where + ": loss without labels");
                }
            }
        }
    }
}
