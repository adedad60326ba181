package dev.anneal.worker.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.tokenize.ParallelTokenization;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * N tokenizer workers and any tokenizebatch give the same features in the same order as one worker with
 * txtai's default batch, for windowed and merged tasks.
 */
class ParallelTaskTokenizationTest {
    @Test
    void questionWindowsAndTextMergesDoNotDependOnTheWorkerCount() {
        List<Map<String, Object>> qa = new ArrayList<>();
        List<Map<String, Object>> texts = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            String context = "Unwrap " + i + " cloves of garlic, then " + (i % 7) + " red onions and some ginger";
            qa.add(Map.of("question", "What ingredient?", "context", context,
                    "answers", i % 3 == 0 ? "ginger" : "garlic"));
            texts.add(Map.of("text", "Row " + i + ": " + context));
        }
        try (TextTokenizer tokenizer = SemanticsFixture.tokenizer("generated/tokenizers/wordpiece-uncased", 16)) {
            assertSame(new QuestionAnsweringTask(4), qa, tokenizer);
            assertSame(new LanguageModelingTask(TextMerge.CONCAT), texts, tokenizer);
            assertSame(new LanguageGenerationTask(TextMerge.PACK), texts, tokenizer);
        }
    }

    private static void assertSame(TrainingTask task, List<Map<String, Object>> rows, TextTokenizer tokenizer) {
        Columns columns = task.columns(List.of());
        List<List<Feature>> runs = new ArrayList<>();
        int[][] workersAndBatch = {{1, ParallelTokenization.DEFAULT_BATCH_SIZE}, {3, ParallelTokenization.DEFAULT_BATCH_SIZE},
            {3, 7}, {2, 1}};
        for (int[] setting : workersAndBatch) {
            List<Feature> features = ParallelTokenization.run(new ListRows("train.rows", rows), setting[0], setting[1],
                    new Cancellation(), (row, index) -> task.features(columns, row, index, "train.rows", tokenizer));
            runs.add(task.merge(features, tokenizer.maxLength()));
        }
        for (int run = 1; run < runs.size(); run++) {
            assertEquals(runs.get(0).size(), runs.get(run).size());
            for (int i = 0; i < runs.get(0).size(); i++) {
                Feature one = runs.get(0).get(i);
                Feature many = runs.get(run).get(i);
                assertEquals(one.longs().keySet(), many.longs().keySet());
                for (String name : one.longs().keySet()) {
                    assertArrayEquals(one.longs().get(name), many.longs().get(name), task.kind() + " feature " + i
                            + " with workers/batch " + java.util.Arrays.toString(workersAndBatch[run]));
                }
            }
        }
    }
}
