package dev.anneal.worker.model.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.seq2seq.GreedySeq2SeqGenerator;
import dev.anneal.worker.model.seq2seq.Seq2SeqFixtures;
import dev.anneal.worker.model.seq2seq.Seq2SeqLanguageModel;
import dev.anneal.worker.train.AdamW;
import dev.anneal.worker.train.Autograd;
import dev.anneal.worker.train.GradientClipping;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Replays the HF Trainer seq2seq trace (txtai's testSeqSeq on the generated T5, dropout 0): the batches
 * as collated by HF, the loss, the pre-clip gradient norm and the parameters after the steps. This
 * proves T5's backward pass (shared embedding used three times, relative bias, scaled LM head).
 */
class T5TraceReplayTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void lossesGradNormsAndParametersFollowTheTrainerTrace() throws IOException {
        Path traceDir = HfReference.generatedDir().getParent().resolve("traces/sequence-sequence");
        JsonNode trace = JSON.readTree(traceDir.resolve("trace.json").toFile());
        Path weights = HfReference.generatedDir().resolve("t5/T5ForConditionalGeneration");
        HfConfig config = HfConfig.read(traceDir.resolve("config_used.json"));
        JsonNode args = trace.get("resolved_training_arguments");
        double maxGradNorm = args.path("max_grad_norm").asDouble(1.0);
        try (TransformerModel model = ModelFamilies.create(config, HeadType.SEQ2SEQ_LM)) {
            HfCheckpoint.load(weights, model, LoadOptions.strict());
            AdamW optimizer = new AdamW(args.get("adam_beta1").asDouble(), args.path("adam_beta2").asDouble(0.999),
                    args.path("adam_epsilon").asDouble(1e-8));
            List<NDArray> trainable = new ArrayList<>();
            NDManager state = model.manager().newSubManager();
            for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
                NDArray array = e.getValue().getArray();
                array.setRequiresGradient(true);
                trainable.add(array);
                optimizer.add(e.getKey(), array, args.get("weight_decay").asDouble(), state);
            }
            assertParameters(trace.get("parameters").get("initial"), model, "initial");
            for (JsonNode step : trace.get("steps")) {
                int number = step.get("step").asInt();
                JsonNode micro = trace.get("micro_batches").get(step.get("micro_batches").get(0).asInt());
                try (NDManager scope = NDManager.newBaseManager()) {
                    Map<String, NDArray> tensors = new LinkedHashMap<>();
                    for (Iterator<Map.Entry<String, JsonNode>> it = micro.get("batch").fields(); it.hasNext(); ) {
                        Map.Entry<String, JsonNode> e = it.next();
                        tensors.put(e.getKey(), rows(scope, e.getValue()));
                    }
                    NDArray loss = Autograd.recording(() -> model.forward(new Batch(tensors), true).loss());
                    double want = step.get("loss").asDouble();
                    assertEquals(want, loss.getFloat(), want * 1e-4, "loss at step " + number);
                    Autograd.backward(loss);
                }
                double norm = GradientClipping.clip(trainable, maxGradNorm);
                assertEquals(step.get("grad_norm").asDouble(), norm, step.get("grad_norm").asDouble() * 1e-4,
                        "pre-clip grad norm at step " + number);
                Autograd.paused(() -> optimizer.step(step.get("learning_rate").asDouble()));
                Autograd.zeroGradients(trainable);
                JsonNode after = trace.get("parameters").get("after_step_" + number);
                if (after != null) {
                    assertParameters(after, model, "after step " + number);
                }
            }
            Autograd.paused(() -> assertFinalGreedy(trace.get("final_greedy"), (Seq2SeqLanguageModel) model));
            state.close();
        }
    }

    private static void assertFinalGreedy(JsonNode greedy, Seq2SeqLanguageModel model) {
        try (NDManager manager = NDManager.newBaseManager()) {
            long[] prompt = Seq2SeqFixtures.longArray(greedy.get("prompt_ids"));
            NDArray ids = manager.create(prompt, new Shape(1, prompt.length));
            long[] expected = Seq2SeqFixtures.longArray(greedy.get("generated_ids"));
            GreedySeq2SeqGenerator.Generation g = GreedySeq2SeqGenerator.generate(model, ids, null, expected.length);
            assertArrayEquals(expected, g.tokens(0), "greedy ids after training");
        }
    }

    /** L2 relative 1e-5; sums within 1e-5 x L2 (traces/README.md). */
    private static void assertParameters(JsonNode expected, TransformerModel model, String when) {
        Map<String, Parameter> params = model.namedParameters();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            NDArray array = params.get(e.getKey()).getArray().toType(DataType.FLOAT64, false);
            double l2 = Math.sqrt(array.square().sum().getDouble());
            double wantL2 = e.getValue().get("l2").asDouble();
            assertEquals(wantL2, l2, wantL2 * 1e-5 + 1e-7, when + ": l2 of " + e.getKey());
            assertEquals(e.getValue().get("sum").asDouble(), array.sum().getDouble(), 1e-5 * wantL2 + 1e-7,
                    when + ": sum of " + e.getKey());
        }
        assertEquals(params.size(), expected.size(), when + ": parameter count");
    }

    private static NDArray rows(NDManager manager, JsonNode rows) {
        int width = rows.get(0).size();
        long[] flat = new long[rows.size() * width];
        int i = 0;
        for (JsonNode row : rows) {
            for (JsonNode v : row) {
                flat[i++] = v.asLong();
            }
        }
        return manager.create(flat, new Shape(rows.size(), width));
    }
}
