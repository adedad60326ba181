package dev.anneal.worker.model.bert;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.hf.SafetensorsReader;
import dev.anneal.worker.hf.SafetensorsWriter;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShardedCheckpointTest {
    private static final Path DIR = HfReference.generatedDir().resolve("bert/BertForTokenClassification");

    @Test
    void loadsAModelSplitOverShards(@TempDir Path sharded) throws IOException {
        SafetensorsReader whole = SafetensorsReader.open(DIR);
        Map<String, NDArray> first = new LinkedHashMap<>();
        Map<String, NDArray> second = new LinkedHashMap<>();
        StringBuilder weightMap = new StringBuilder();
        try (NDManager manager = NDManager.newBaseManager()) {
            for (String name : whole.names()) {
                boolean inFirst = name.contains("layer.0") || name.contains("embeddings");
                (inFirst ? first : second).put(name, whole.read(name, manager, DataType.FLOAT32));
                weightMap.append(weightMap.length() == 0 ? "" : ",").append('"').append(name).append("\":\"")
                        .append(inFirst ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors").append('"');
            }
            SafetensorsWriter.write(sharded.resolve("model-00001-of-00002.safetensors"), first);
            SafetensorsWriter.write(sharded.resolve("model-00002-of-00002.safetensors"), second);
        }
        Files.writeString(sharded.resolve("model.safetensors.index.json"), "{\"metadata\":{},\"weight_map\":{" + weightMap + "}}");
        Files.copy(DIR.resolve("config.json"), sharded.resolve("config.json"));

        try (TransformerModel model = ModelFamilies.create(HfConfig.read(sharded), HeadType.TOKEN_CLASSIFICATION)) {
            LoadReport report = HfCheckpoint.load(sharded, model, LoadOptions.strict());
            assertEquals(List.of(), report.unexpected());
            assertEquals(whole.names().size(), report.loaded().size());
            HfReference.read(DIR).assertParameterStatistics(model);
            // Parameters that record gradients (as during training) save all the same.
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            HfCheckpoint.save(model, sharded.resolve("saved"));
        }
        try (TransformerModel reloaded = ModelFamilies.create(HfConfig.read(DIR), HeadType.TOKEN_CLASSIFICATION)) {
            HfCheckpoint.load(sharded.resolve("saved"), reloaded, LoadOptions.strict());
            HfReference.read(DIR).assertParameterStatistics(reloaded);
        }
    }
}
