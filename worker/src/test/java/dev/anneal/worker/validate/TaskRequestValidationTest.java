package dev.anneal.worker.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What VALIDATE refuses for the tasks beyond text-classification, and what it now accepts. */
class TaskRequestValidationTest {
    private static Dataset rows(Map<String, String>... rows) {
        Rows.Builder builder = Rows.newBuilder();
        for (Map<String, String> row : rows) {
            Struct.Builder struct = Struct.newBuilder();
            row.forEach((key, value) -> struct.putFields(key, Value.newBuilder().setStringValue(value).build()));
            builder.addRows(struct);
        }
        return Dataset.newBuilder().setRows(builder).build();
    }

    private static TrainRequest.Builder request(Task task, Dataset train) {
        return TrainRequest.newBuilder().setBase("/models/base").setTask(task).setTrain(train);
    }

    private static String refusal(TrainRequest request) {
        RunFailure failure = assertThrows(RunFailure.class, () -> RequestValidator.validate(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        return failure.getMessage();
    }

    @Test
    @SuppressWarnings("unchecked")
    void prefixBelongsToSequenceSequence() {
        Dataset pairs = rows(Map.of("source", "Run", "target", "Sleep"));
        RequestValidator.validate(request(Task.SEQUENCE_SEQUENCE, pairs).setPrefix("translate: ").build());
        assertEquals("prefix: is only used by SEQUENCE_SEQUENCE, not by LANGUAGE_GENERATION",
                refusal(request(Task.LANGUAGE_GENERATION, rows(Map.of("text", "a"))).setPrefix("x").build()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void mergeBelongsToTheLanguageTasksAndNamesAKnownMode() {
        Dataset texts = rows(Map.of("text", "a"));
        for (String merge : new String[] {"concat", "pack", "none"}) {
            RequestValidator.validate(request(Task.LANGUAGE_GENERATION, texts).setMerge(merge).build());
        }
        assertEquals("merge: unknown merge 'zip'; valid: concat, pack, none",
                refusal(request(Task.LANGUAGE_MODELING, texts).setMerge("zip").build()));
        assertEquals("merge: is only used by the language tasks, not by TEXT_CLASSIFICATION",
                refusal(request(Task.TEXT_CLASSIFICATION, rows(Map.of("text", "a", "label", "x"))).setMerge("pack").build()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void rowsAreCheckedPerTaskAndNamed() {
        Dataset qa = rows(Map.of("question", "What?", "context", "1 onion", "answers", "onion"),
                Map.of("question", "What?", "context", "1 onion", "answers", "garlic"));
        assertEquals("train.rows[1]: answer 'garlic' does not occur in the context",
                refusal(request(Task.QUESTION_ANSWERING, qa).build()));
        Dataset seq = rows(Map.of("source", "Run", "target", "Sleep"), Map.of("source", "Walk"));
        assertEquals("train.rows[1]: missing column 'target' (row has [source])",
                refusal(request(Task.SEQUENCE_SEQUENCE, seq).build()));
        Dataset texts = rows(Map.of("text", "a"), Map.of("body", "b"));
        assertEquals("validation.rows[1]: missing column 'text' (row has [body])",
                refusal(request(Task.LANGUAGE_MODELING, rows(Map.of("text", "a"))).setValidation(texts).build()));
    }

    @Test
    @SuppressWarnings("unchecked")
    void columnsAndMetricsFollowTheTask() {
        Dataset texts = rows(Map.of("text", "a"));
        assertEquals("columns: LANGUAGE_GENERATION takes 1 or 2 text columns, got 3",
                refusal(request(Task.LANGUAGE_GENERATION, texts).addColumns("a").addColumns("b").addColumns("c")
                        .build()));
        assertEquals("metrics: 'accuracy' does not apply to LANGUAGE_MODELING; it can report [perplexity, "
                + "token_accuracy]", refusal(request(Task.LANGUAGE_MODELING, texts).addMetrics("accuracy").build()));
        RequestValidator.validate(request(Task.TOKEN_DETECTION, texts).addMetrics("token_accuracy").build());
        assertEquals("metrics: 'perplexity' does not apply to TOKEN_DETECTION; it can report [token_accuracy]",
                refusal(request(Task.TOKEN_DETECTION, texts).addMetrics("perplexity").build()));
        RequestValidator.validate(request(Task.QUESTION_ANSWERING,
                rows(Map.of("question", "What?", "context", "1 onion", "answers", "onion")))
                .addMetrics("exact_match").addMetrics("f1").build());
    }
}
