package dev.anneal.worker.model.tokendetection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.tensor.GradientsSurviveGarbageCollectionTest;
import dev.anneal.worker.train.AdamW;
import dev.anneal.worker.train.Autograd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The composite against values computed without it: the generated ELECTRA generator (ElectraForMaskedLM) and
 * discriminator (ElectraForPreTraining) fixtures, whose outputs genuine transformers recorded. The two fixtures
 * were made from one config with the same seed, so their backbones (word embeddings included) are equal and
 * sharing the generator's embeddings leaves the discriminator's outputs as transformers computed them.
 */
class TokenDetectionModelTest {
    private static final Path ELECTRA = HfReference.generatedDir().resolve("electra");
    private static final Path GENERATOR_DIR = ELECTRA.resolve("ElectraForMaskedLM");
    private static final Path DISCRIMINATOR_DIR = ELECTRA.resolve("ElectraForPreTraining");
    private static final String EMBEDDINGS = "electra.embeddings.word_embeddings.weight";

    private static TokenDetectionModel composite() throws IOException {
        return TokenDetectionLoader.load(GENERATOR_DIR, DISCRIMINATOR_DIR, HfConfig.read(GENERATOR_DIR),
                LoadOptions.strict()).model();
    }

    private static TransformerModel standalone(Path dir, HeadType head) throws IOException {
        TransformerModel model = ModelFamilies.create(HfConfig.read(dir), head);
        HfCheckpoint.load(dir, model, LoadOptions.strict());
        return model;
    }

    /** The generator fixture's masked case: input_ids (masked at 2 and 4), attention_mask, labels. */
    private static JsonNode maskedCase() throws IOException {
        return HfReference.read(GENERATOR_DIR).cases().get(0);
    }

    private static Batch maskedBatch(NDManager scope) throws IOException {
        return new Batch(HfReference.batch(maskedCase(), scope, true));
    }

    @Test
    void gradientsSurviveAGarbageCollectionBetweenForwardAndBackward() throws Exception {
        try (TokenDetectionModel model = composite(); NDManager inputs = NDManager.newBaseManager()) {
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            // The same replacements in both passes: sampling draws from libtorch's generator.
            GradientsSurviveGarbageCollectionTest.assertGradientsSurviveCollection(model,
                    HfReference.batch(maskedCase(), inputs, true), () -> Engine.getInstance().setRandomSeed(11),
                    "token detection");
        }
    }

    @Test
    void fixturesShareTheirWordEmbeddings() throws IOException {
        JsonNode generator = parameterStatistics(GENERATOR_DIR);
        JsonNode discriminator = parameterStatistics(DISCRIMINATOR_DIR);
        // The premise of the loss test below: transformers' own statistics of the two tensors agree.
        assertEquals(generator.get("sum").asDouble(), discriminator.get("sum").asDouble());
        assertEquals(generator.get("l2").asDouble(), discriminator.get("l2").asDouble());
    }

    private static JsonNode parameterStatistics(Path dir) throws IOException {
        return new ObjectMapper().readTree(dir.resolve("reference.json").toFile()).get("parameters").get(EMBEDDINGS);
    }

    @Test
    void lossIsGeneratorLossPlusFiftyTimesDiscriminatorLoss() throws IOException {
        JsonNode masked = maskedCase();
        JsonNode detection = HfReference.read(DISCRIMINATOR_DIR).cases().get(0);
        try (TokenDetectionModel model = composite();
                TransformerModel discriminator = standalone(DISCRIMINATOR_DIR, HeadType.PRETRAINING);
                NDManager scope = model.manager().newSubManager()) {
            // The independent discriminator reproduces transformers on the fixture's replaced-token case.
            Batch replaced = new Batch(HfReference.batch(detection, scope, true));
            ModelOutput reference = discriminator.forward(replaced, false);
            HfReference.assertOutputs("ElectraForPreTraining", detection, reference, replaced.get("attention_mask"));

            Engine.getInstance().setRandomSeed(11);
            Batch batch = maskedBatch(scope);
            ModelOutput out = model.forward(batch, false);

            // Generator: logits as transformers computed them, and their masked-LM loss (computed here by hand)
            // equals transformers' loss for this case.
            NDArray generatorLogits = out.get(TokenDetectionModel.GENERATOR_LOGITS);
            long[] labels = batch.get("labels").toLongArray();
            double generatorLoss = crossEntropy(generatorLogits, labels);
            HfReference.assertOutputs("generator", masked, new ModelOutput(scope.create((float) generatorLoss),
                    Map.of("logits", generatorLogits)), batch.get("attention_mask"));

            // Discriminator inputs: the originals except at masked positions, which hold sampled ids; labels mark
            // the sampled ids that differ from the original token.
            long[] inputs = batch.get("input_ids").toLongArray();
            long[] replacedInputs = out.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS).toLongArray();
            long[] replacedLabels = out.get(TokenDetectionModel.DISCRIMINATOR_LABELS).toLongArray();
            for (int i = 0; i < labels.length; i++) {
                if (labels[i] == -100) {
                    assertEquals(inputs[i], replacedInputs[i], "unmasked position " + i);
                    assertEquals(0, replacedLabels[i], "unmasked position " + i);
                } else {
                    assertTrue(replacedInputs[i] >= 0 && replacedInputs[i] < 1000, "sampled id " + replacedInputs[i]);
                    assertEquals(replacedInputs[i] != labels[i] ? 1 : 0, replacedLabels[i], "masked position " + i);
                }
            }

            // Discriminator loss from the standalone ElectraForPreTraining on those inputs, by hand (BCE over
            // attended positions), and the combined loss.
            Map<String, NDArray> detectionInputs = new LinkedHashMap<>();
            detectionInputs.put("input_ids", out.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS));
            detectionInputs.put("attention_mask", batch.get("attention_mask"));
            NDArray discriminatorLogits = discriminator.forward(new Batch(detectionInputs), false).logits();
            assertClose(discriminatorLogits.toFloatArray(),
                    out.get(TokenDetectionModel.DISCRIMINATOR_LOGITS).toFloatArray());
            double discriminatorLoss = binaryCrossEntropy(discriminatorLogits, replacedLabels,
                    batch.get("attention_mask").toLongArray());
            double expected = masked.get("outputs").get("loss").asDouble() + 50 * discriminatorLoss;
            assertEquals(expected, out.loss().getFloat(), expected * 1e-5);
        }
    }

    @Test
    void discriminatorUsesTheGeneratorsEmbeddingsAsOneParameter() throws IOException {
        try (TokenDetectionModel model = composite()) {
            assertSame(model.generator().namedParameters().get(EMBEDDINGS).getArray(),
                    model.discriminator().namedParameters().get(EMBEDDINGS).getArray());
            Map<String, ?> stored = model.namedParameters();
            assertTrue(stored.containsKey("generator." + EMBEDDINGS));
            assertFalse(stored.containsKey("discriminator." + EMBEDDINGS));
            int parts = model.generator().namedParameters().size() + model.discriminator().namedParameters().size();
            assertEquals(parts - 1, stored.size());
            assertEquals("generator." + EMBEDDINGS, model.tiedParameters().get("discriminator." + EMBEDDINGS));
            assertEquals("generator." + EMBEDDINGS, model.tiedParameters().get("generator.generator_lm_head.weight"));
        }
    }

    @Test
    void sharedEmbeddingsTakeBothGradientsAndOneUpdate() throws IOException {
        double rate = 1e-3;
        try (TokenDetectionModel model = composite(); NDManager scope = model.manager().newSubManager()) {
            NDArray embeddings = model.namedParameters().get("generator." + EMBEDDINGS).getArray();
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            Batch batch = maskedBatch(scope);

            // The composite's gradient on the shared tensor is the generator's plus 50 x the discriminator's.
            Engine.getInstance().setRandomSeed(5);
            ModelOutput out = Autograd.recording(() -> {
                ModelOutput output = model.forward(batch, false);
                Autograd.backward(output.loss());
                return output;
            });
            float[] combined = embeddings.getGradient().toFloatArray();
            Autograd.zeroGradients(model.namedParameters().values().stream().map(Parameter::getArray).toList());
            Autograd.recording(() -> {
                Autograd.backward(model.generator().forward(batch, false).loss());
                return null;
            });
            float[] generatorPart = embeddings.getGradient().toFloatArray();
            Autograd.zeroGradients(model.namedParameters().values().stream().map(Parameter::getArray).toList());
            Map<String, NDArray> detection = new LinkedHashMap<>();
            detection.put("input_ids", out.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS));
            detection.put("attention_mask", batch.get("attention_mask"));
            detection.put("labels", out.get(TokenDetectionModel.DISCRIMINATOR_LABELS));
            Autograd.recording(() -> {
                Autograd.backward(model.discriminator().forward(new Batch(detection), false).loss().mul(50));
                return null;
            });
            float[] discriminatorPart = embeddings.getGradient().toFloatArray();
            double discriminatorNorm = 0;
            for (int i = 0; i < combined.length; i++) {
                assertEquals(generatorPart[i] + discriminatorPart[i], combined[i], 1e-5 + 1e-4 * Math.abs(combined[i]),
                        "gradient element " + i);
                discriminatorNorm += discriminatorPart[i] * discriminatorPart[i];
            }
            assertTrue(discriminatorNorm > 0, "the discriminator's loss reaches the shared embeddings");

            // One AdamW step moves each element by at most the learning rate (first step: lr * g / (|g| + eps));
            // an optimizer that held the tensor twice would move it by up to twice that.
            float[] before = embeddings.toFloatArray();
            AdamW adam = new AdamW(0.9, 0.999, 1e-8);
            model.namedParameters().forEach((name, p) -> adam.add(name, p.getArray(), 0, scope));
            Autograd.paused(() -> adam.step(rate));
            float[] after = embeddings.toFloatArray();
            double largest = 0;
            for (int i = 0; i < before.length; i++) {
                largest = Math.max(largest, Math.abs(after[i] - before[i]));
            }
            assertTrue(largest > 0.9 * rate && largest <= rate * (1 + 1e-3), "largest change " + largest);
            model.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(false));
        }
    }

    @Test
    void sameSeedSamplesTheSameReplacements() throws IOException {
        try (TokenDetectionModel model = composite(); NDManager scope = model.manager().newSubManager()) {
            Batch batch = maskedBatch(scope);
            Engine.getInstance().setRandomSeed(42);
            ModelOutput first = model.forward(batch, false);
            Engine.getInstance().setRandomSeed(42);
            ModelOutput again = model.forward(batch, false);
            assertEquals(first.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS),
                    again.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS));
            assertEquals(first.loss().getFloat(), again.loss().getFloat());
            boolean differs = false;
            for (int seed = 0; seed < 5 && !differs; seed++) {
                Engine.getInstance().setRandomSeed(1000 + seed);
                differs = !model.forward(batch, false).get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS)
                        .contentEquals(first.get(TokenDetectionModel.DISCRIMINATOR_INPUT_IDS));
            }
            assertTrue(differs, "other seeds sample other replacements");
        }
    }

    /** Without labels there is nothing to replace: both parts run on the inputs as given, as standalone models. */
    @Test
    void withoutLabelsBothPartsRunOnTheInputs() throws IOException {
        JsonNode detection = HfReference.read(DISCRIMINATOR_DIR).cases().get(0);
        try (TokenDetectionModel model = composite(); NDManager scope = model.manager().newSubManager()) {
            Batch inputs = new Batch(HfReference.batch(detection, scope, false));
            ModelOutput out = model.forward(inputs, false);
            assertNull(out.loss());
            assertEquals(List.of(TokenDetectionModel.GENERATOR_LOGITS, TokenDetectionModel.DISCRIMINATOR_LOGITS),
                    List.copyOf(out.tensors().keySet()));
            HfReference.assertClose("discriminator logits", detection.get("outputs").get("logits"),
                    out.get(TokenDetectionModel.DISCRIMINATOR_LOGITS));
        }
    }

    @Test
    void samplerDrawsFromTheSoftmax() {
        try (NDManager manager = NDManager.newBaseManager()) {
            int draws = 20_000;
            // softmax([0, ln 3, -inf-ish]) = [0.25, 0.75, 0]
            float[] row = {0f, (float) Math.log(3), -100f};
            float[] logits = new float[draws * 3];
            for (int i = 0; i < draws; i++) {
                System.arraycopy(row, 0, logits, i * 3, 3);
            }
            Engine.getInstance().setRandomSeed(3);
            long[] ids = ReplacementSampler.sample(manager.create(logits, new Shape(draws, 3)))
                    .toLongArray();
            int ones = 0;
            for (long id : ids) {
                assertNotEquals(2, id);
                ones += id == 1 ? 1 : 0;
            }
            // Binomial(20000, 0.75): standard deviation 0.003; 0.015 is five of them.
            assertEquals(0.75, (double) ones / draws, 0.015);
        }
    }

    private static double crossEntropy(NDArray logits, long[] labels) {
        int vocab = (int) logits.getShape().get(2);
        float[] values = logits.toType(DataType.FLOAT32, false).toFloatArray();
        double sum = 0;
        int counted = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == -100) {
                continue;
            }
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, values[i * vocab + v]);
            }
            double total = 0;
            for (int v = 0; v < vocab; v++) {
                total += Math.exp(values[i * vocab + v] - max);
            }
            sum += max + Math.log(total) - values[i * vocab + (int) labels[i]];
            counted++;
        }
        return sum / counted;
    }

    private static double binaryCrossEntropy(NDArray logits, long[] labels, long[] mask) {
        float[] x = logits.toFloatArray();
        double sum = 0;
        int counted = 0;
        for (int i = 0; i < x.length; i++) {
            if (mask[i] == 1) {
                sum += Math.max(x[i], 0) - x[i] * labels[i] + Math.log1p(Math.exp(-Math.abs(x[i])));
                counted++;
            }
        }
        return sum / counted;
    }

    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            double tolerance = HfReference.OUTPUT_ABS + HfReference.OUTPUT_REL * Math.abs(expected[i]);
            assertEquals(expected[i], actual[i], tolerance, "discriminator logit " + i);
        }
    }
}
