package dev.anneal.worker.model.bart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.seq2seq.Seq2SeqFixtures;
import dev.anneal.worker.train.Autograd;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** BartModel (no head) and loading across the "model." prefix in both directions. */
class BartModelVariantsTest {
    private static Path dir() {
        return HfReference.generatedDir().resolve("bart/BartForConditionalGeneration");
    }

    @Test
    void bareBartModelFromGenerationCheckpointAndBack(@TempDir Path out) throws IOException {
        HfReference reference = HfReference.read(dir());
        JsonNode pairs = reference.cases().get(0);
        Path saved = out.resolve("bart-base");
        try (TransformerModel base = ModelFamilies.create(HfConfig.read(dir()), HeadType.BASE);
                NDManager manager = NDManager.newBaseManager()) {
            LoadReport report = HfCheckpoint.load(dir(), base, LoadOptions.strict());
            assertEquals("BartModel", base.architecture());
            assertEquals(List.of("final_logits_bias"), report.unexpected(), "the LM buffer is the only tensor BartModel leaves");
            assertTrue(base.namedParameters().containsKey("shared.weight"));
            Map<String, NDArray> inputs = new LinkedHashMap<>(HfReference.batch(pairs, manager, false));
            inputs.put("labels", manager.create(Seq2SeqFixtures.longArray(pairs.get("labels").get(2))).reshape(1, -1).repeat(0, 3));
            ModelOutput output = base.forward(new Batch(inputs), false);
            HfReference.assertClose("BartModel encoder_last_hidden_state", pairs.get("outputs").get("encoder_last_hidden_state"),
                    output.get("encoder_last_hidden_state"));
            HfCheckpoint.save(base, saved);
        }
        // A BartModel checkpoint gains the "model." prefix and a zero final_logits_bias in the LM; since
        // the generated model's bias is zero, the LM then reproduces transformers exactly.
        try (TransformerModel lm = ModelFamilies.create(HfConfig.read(saved), HeadType.SEQ2SEQ_LM)) {
            LoadReport report = HfCheckpoint.load(saved, lm, LoadOptions.initializeMissing(0));
            assertEquals(List.of("final_logits_bias"), report.initialized());
            Seq2SeqFixtures.assertCases(reference, lm);
        }
    }

    @Test
    void everyParameterButTheLogitsBufferGetsAGradient() throws IOException {
        HfReference reference = HfReference.read(dir());
        JsonNode pairs = reference.cases().get(0);
        HfConfig config = HfConfig.read(dir()).set("dropout", 0.0);
        try (TransformerModel lm = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM);
                NDManager manager = NDManager.newBaseManager()) {
            HfCheckpoint.load(dir(), lm, LoadOptions.strict());
            lm.namedParameters().values().forEach(p -> p.getArray().setRequiresGradient(true));
            Map<String, NDArray> inputs = new LinkedHashMap<>(HfReference.batch(pairs, manager, false));
            inputs.put("labels", Seq2SeqFixtures.rows(manager, pairs.get("labels")));
            NDArray loss = Autograd.recording(() -> lm.forward(new Batch(inputs), true).loss());
            assertEquals(pairs.get("outputs").get("loss").asDouble(), loss.getFloat(), 1e-4, "train-mode loss with dropout 0");
            Autograd.backward(loss);
            lm.namedParameters().forEach((name, parameter) -> {
                float gradNorm = parameter.getArray().getGradient().abs().sum().getFloat();
                if (name.equals("final_logits_bias")) {
                    assertEquals(0f, gradNorm, "final_logits_bias is a buffer in transformers: no gradient");
                } else {
                    assertTrue(gradNorm > 0, name + " gets no gradient");
                }
            });
        }
    }
}
