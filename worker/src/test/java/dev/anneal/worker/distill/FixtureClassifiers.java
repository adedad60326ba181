package dev.anneal.worker.distill;

import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The generated sequence classifiers the distillation tests use: BERT as the student, DistilBERT as the
 * teacher. Both were made with the same WordPiece tokenizer (vocab_size 1000, 2 labels), and their
 * reference.json cases hold the logits genuine transformers computes for the same token ids.
 */
final class FixtureClassifiers {
    static final Path BERT = HfReference.generatedDir().resolve("bert/BertForSequenceClassification");
    static final Path DISTILBERT = HfReference.generatedDir().resolve("distilbert/DistilBertForSequenceClassification");

    private FixtureClassifiers() {
    }

    /** A sequence classifier with every weight from {@code dir}. */
    static TransformerModel load(Path dir) throws IOException {
        TransformerModel model = ModelFamilies.create(HfConfig.read(dir), HeadType.SEQUENCE_CLASSIFICATION);
        HfCheckpoint.load(dir, model, LoadOptions.strict());
        return model;
    }

    /** The reference case "texts" (three single texts, labels [1, 0, 1]) of a fixture. */
    static JsonNode textsCase(Path dir) throws IOException {
        for (JsonNode testCase : HfReference.read(dir).cases()) {
            if (testCase.get("name").asText().equals("texts")) {
                return testCase;
            }
        }
        throw new IllegalStateException(dir + " has no 'texts' case");
    }

    static double[][] logits(JsonNode testCase) {
        JsonNode rows = testCase.get("outputs").get("logits");
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < rows.size(); i++) {
            out[i] = new double[rows.get(i).size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = rows.get(i).get(j).asDouble();
            }
        }
        return out;
    }

    static int[] labels(JsonNode testCase) {
        JsonNode labels = testCase.get("labels");
        int[] out = new int[labels.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = labels.get(i).asInt();
        }
        return out;
    }
}
