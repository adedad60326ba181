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

/** N tokenizer workers give the same features in the same order as one, for windowed and merged tasks. */
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
        for (int workers : new int[] {1, 3}) {
            List<Feature> features = ParallelTokenization.run(new ListRows("train.rows", rows), workers,
                    new Cancellation(), (row, index) -> task.features(columns, row, index, "train.rows", tokenizer));
            runs.add(task.merge(features, tokenizer.maxLength()));
        }
        assertEquals(runs.get(0).size(), runs.get(1).size());
        for (int i = 0; i < runs.get(0).size(); i++) {
            Feature one = runs.get(0).get(i);
            Feature many = runs.get(1).get(i);
            assertEquals(one.longs().keySet(), many.longs().keySet());
            for (String name : one.longs().keySet()) {
                assertArrayEquals(one.longs().get(name), many.longs().get(name), task.kind() + " feature " + i);
            }
        }
    }
}
