package dev.anneal.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.task.LanguageGenerationTask;
import dev.anneal.worker.task.LanguageModelingTask;
import dev.anneal.worker.task.QuestionAnsweringTask;
import dev.anneal.worker.task.TextClassificationTask;
import dev.anneal.worker.task.TextMerge;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Model outputs and batches become the predictions the metrics read. */
class PredictionCollectorTest {
    private static final String[] VOCAB = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "what", "red", "onion", "garlic"};
    private static final Function<long[], String> DECODE = ids -> Arrays.stream(ids)
            .filter(id -> id > 3).mapToObj(id -> VOCAB[(int) id]).collect(Collectors.joining(" "));

    @Test
    void questionAnsweringDecodesTheBestSpanAndTheGoldSpan() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // [CLS] what [SEP] red onion [SEP] [PAD]   and   [CLS] what [SEP] garlic [SEP] [PAD] [PAD]
            long[] ids = {2, 4, 3, 5, 6, 3, 0, 2, 4, 3, 7, 3, 0, 0};
            long[] mask = {1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0};
            float[] starts = {0, 0, 0, 1, 3, 0, 9, 5, 0, 0, 1, 0, 0, 0};
            float[] ends = {0, 0, 0, 0, 2, 1, 9, 5, 0, 0, 1, 0, 0, 0};
            Batch batch = new Batch(Map.of(
                    "input_ids", manager.create(ids, new Shape(2, 7)),
                    "attention_mask", manager.create(mask, new Shape(2, 7)),
                    "start_positions", manager.create(new long[] {3, 0}),
                    "end_positions", manager.create(new long[] {4, 0})));
            ModelOutput output = new ModelOutput(null, Map.of(
                    "start_logits", manager.create(starts, new Shape(2, 7)),
                    "end_logits", manager.create(ends, new Shape(2, 7))));
            PredictionCollector collector = PredictionCollector.forTask(new QuestionAnsweringTask(8), DECODE, 2L);
            collector.add(batch, output);
            EvalPredictions predictions = collector.predictions(0.5);
            // Row 0: "onion" (3 + 2) beats "red onion" (1 + 2); the padded position 6 is never chosen.
            // Row 1: CLS scores 10 > garlic's 2, so no answer; gold is CLS too.
            assertEquals(List.of("onion", ""), predictions.predictedSpans("f1"));
            assertEquals(List.of(List.of("red onion"), List.of()), predictions.goldSpans("f1"));
            assertEquals(50, Metrics.create("exact_match").compute(predictions), 1e-12);
            assertEquals(100 * (2.0 / 3 + 1) / 2, Metrics.create("f1").compute(predictions), 1e-9);
        }
    }

    @Test
    void causalLanguageModelsPredictTheNextToken() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // Logits over a vocabulary of 3 at 3 positions; argmax = 2, 0, 1.
            float[] logits = {0, 0, 1, 1, 0, 0, 0, 1, 0};
            Batch batch = new Batch(Map.of("input_ids", manager.create(new long[] {1, 2, 0}, new Shape(1, 3)),
                    "labels", manager.create(new long[] {1, 2, -100}, new Shape(1, 3))));
            ModelOutput output = new ModelOutput(null, Map.of("logits", manager.create(logits, new Shape(1, 3, 3))));
            PredictionCollector next = PredictionCollector.forTask(new LanguageGenerationTask(TextMerge.CONCAT),
                    DECODE, null);
            next.add(batch, output);
            EvalPredictions shifted = next.predictions(Math.log(3));
            // Position 0 predicts label 2 (right); position 1 predicts the ignored label.
            assertArrayEquals(new long[] {2}, shifted.predictedTokens("token_accuracy"));
            assertArrayEquals(new long[] {2}, shifted.actualTokens("token_accuracy"));
            assertEquals(3, Metrics.create("perplexity").compute(shifted), 1e-9);
            PredictionCollector masked = PredictionCollector.forTask(new LanguageModelingTask(TextMerge.CONCAT),
                    DECODE, null);
            masked.add(batch, output);
            assertEquals(0.0, Metrics.create("token_accuracy").compute(masked.predictions(null)), 1e-12);
        }
    }

    @Test
    void classificationUsesTheLabelSpace() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TextClassificationTask task = new TextClassificationTask();
            task.prepare(task.columns(List.of()), new dev.anneal.worker.task.ListRowsForTests(List.of(
                    Map.of("text", "a", "label", 0.5), Map.of("text", "b", "label", 1.5))));
            PredictionCollector regression = PredictionCollector.forTask(task, DECODE, 2L);
            regression.add(new Batch(Map.of("labels", manager.create(new float[] {0.5f, 1.5f}))),
                    new ModelOutput(null, Map.of("logits", manager.create(new float[] {1f, 1f}, new Shape(2, 1)))));
            assertEquals(0.25, Metrics.create("mse").compute(regression.predictions(null)), 1e-7);

            TextClassificationTask classes = new TextClassificationTask();
            classes.prepare(classes.columns(List.of()), new dev.anneal.worker.task.ListRowsForTests(List.of(
                    Map.of("text", "a", "label", 0L), Map.of("text", "b", "label", 1L))));
            PredictionCollector single = PredictionCollector.forTask(classes, DECODE, 2L);
            single.add(new Batch(Map.of("labels", manager.create(new long[] {1, 1}))),
                    new ModelOutput(null, Map.of("logits", manager.create(new float[] {0, 1, 2, 0}, new Shape(2, 2)))));
            assertEquals(0.5, Metrics.create("accuracy").compute(single.predictions(null)), 1e-12);
        }
    }
}
