package dev.anneal.worker.model.tokendetection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.metrics.PredictionCollector;
import dev.anneal.worker.metrics.TokenAccuracy;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.task.Feature;
import dev.anneal.worker.task.TokenDetectionTask;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.Evaluation;
import dev.anneal.worker.train.LanguageModelingCollator;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * EVALUATE on the composite: eval_loss is the combined loss and eval_token_accuracy compares the discriminator's
 * decisions (logit &gt; 0) with its labels on attended positions, replayed here batch by batch by hand.
 */
class TokenDetectionEvaluationTest {
    private static final Path BASE = HfReference.generatedDir().resolve("electra").resolve("ElectraForPreTraining");

    @Test
    void reportsCombinedLossAndDiscriminatorTokenAccuracy() throws IOException {
        HfConfig config = HfConfig.read(BASE);
        List<Feature> features = features();
        try (TokenDetectionModel model = TokenDetectionLoader.load(BASE, config,
                LoadOptions.initializeMissing(1)).model();
                TextTokenizer tokenizer = TextTokenizer.load(BASE, TokenizerSettings.read(BASE), 128)) {
            Engine.getInstance().setRandomSeed(9);
            Map<String, Double> results = Evaluation.run(model, features, collator(tokenizer, config), 2,
                    List.of(new TokenAccuracy()), PredictionCollector.forTask(new TokenDetectionTask(null), tokenizer),
                    new Cancellation());

            // The same batches, masks (a fresh collator with the same seed) and samples (the same engine seed).
            Engine.getInstance().setRandomSeed(9);
            LanguageModelingCollator collator = collator(tokenizer, config);
            double lossSum = 0;
            long correct = 0;
            long counted = 0;
            for (int from = 0; from < features.size(); from += 2) {
                List<Feature> rows = features.subList(from, Math.min(features.size(), from + 2));
                try (NDManager scope = model.manager().newSubManager()) {
                    Batch batch = collator.collate(rows, scope);
                    ModelOutput out = model.forward(batch, false);
                    lossSum += out.loss().getFloat() * rows.size();
                    float[] logits = out.get(TokenDetectionModel.DISCRIMINATOR_LOGITS).toFloatArray();
                    long[] labels = out.get(TokenDetectionModel.DISCRIMINATOR_LABELS).toLongArray();
                    long[] mask = batch.get("attention_mask").toLongArray();
                    for (int i = 0; i < labels.length; i++) {
                        if (mask[i] == 1) {
                            counted++;
                            correct += (logits[i] > 0 ? 1 : 0) == labels[i] ? 1 : 0;
                        }
                    }
                }
            }
            assertTrue(counted > 20, "attended positions " + counted);
            assertEquals(lossSum / features.size(), results.get("eval_loss"), 1e-6);
            assertEquals((double) correct / counted, results.get("eval_token_accuracy"), 1e-12);
        }
    }

    private static LanguageModelingCollator collator(TextTokenizer tokenizer, HfConfig config) {
        return new LanguageModelingCollator(CollatorSettings.of(tokenizer, config, 5));
    }

    /** The fixture's three texts, unmasked and unpadded, twice. */
    private static List<Feature> features() throws IOException {
        JsonNode encoding = HfReference.read(BASE).cases().get(0).get("encoding");
        List<Feature> features = new ArrayList<>();
        for (int copy = 0; copy < 2; copy++) {
            for (int row = 0; row < encoding.get("original_input_ids").size(); row++) {
                int length = 0;
                for (JsonNode bit : encoding.get("attention_mask").get(row)) {
                    length += bit.asInt();
                }
                long[] ids = new long[length];
                for (int i = 0; i < length; i++) {
                    ids[i] = encoding.get("original_input_ids").get(row).get(i).asLong();
                }
                long[] ones = new long[length];
                Arrays.fill(ones, 1);
                features.add(new Feature(Map.of("input_ids", ids, "attention_mask", ones), Map.of()));
            }
        }
        return features;
    }
}
