package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.GatewayTest;
import dev.anneal.gateway.TrainRequests;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** Requests that cannot run are refused before a job exists, with INVALID_ARGUMENT naming the problem. */
@QuarkusTest
class BadRequestTest extends GatewayTest {
    private static final String LABEL = "bad-request-test";

    private static TrainRequest.Builder valid() {
        return TrainRequests.txtaiBasic().putLabels("test", LABEL);
    }

    /** Sends the request and returns the status the Train call failed with. */
    private static StatusRuntimeException refusal(TrainRequest request) {
        return assertThrows(StatusRuntimeException.class, () -> {
            Iterator<TrainEvent> events = gateway.blocking.train(request);
            TrainEvent first = events.next();
            throw new AssertionError("expected a refusal, got " + first);
        });
    }

    private static void assertInvalid(TrainRequest request, String... mentioned) {
        StatusRuntimeException refusal = refusal(request);
        assertEquals(Status.Code.INVALID_ARGUMENT, refusal.getStatus().getCode(), refusal.toString());
        String description = refusal.getStatus().getDescription();
        for (String word : mentioned) {
            assertTrue(description != null && description.contains(word),
                    "\"" + description + "\" should mention " + word);
        }
        // The gateway keeps serving, and the refused request left no job behind.
        assertEquals(0, gateway.blocking.listJobs(ListJobsRequest.newBuilder().putLabelSelector("test", LABEL)
                .build()).getJobsCount());
    }

    @Test
    void noTrainData() {
        assertInvalid(valid().clearTrain().build(), "train");
    }

    @Test
    void emptyTrainRows() {
        assertInvalid(valid().setTrain(Dataset.newBuilder().setRows(Rows.getDefaultInstance())).build(), "train");
    }

    @Test
    void emptyBase() {
        assertInvalid(valid().setBase("").build(), "base");
    }

    @Test
    void unknownColumn() {
        assertInvalid(valid().addColumns("body").addColumns("label").build(), "body");
    }

    @Test
    void labelColumnMissingInARow() {
        Rows.Builder rows = TrainRequests.txtaiRows().toBuilder();
        rows.setRows(7, Struct.newBuilder().putFields("text", Value.newBuilder().setStringValue("dog").build()));
        assertInvalid(valid().setTrain(Dataset.newBuilder().setRows(rows)).build(), "train", "[7]", "label");
    }

    @Test
    void negativeLearningRate() {
        TrainRequest.Builder request = valid();
        request.getArgsBuilder().setLearningRate(-1e-4);
        assertInvalid(request.build(), "learning_rate");
    }

    @Test
    void unknownJobIsNotFound() {
        StatusRuntimeException missing = assertThrows(StatusRuntimeException.class,
                () -> gateway.blocking.getJob(GetJobRequest.newBuilder().setJobId("no-such-job").build()));
        assertEquals(Status.Code.NOT_FOUND, missing.getStatus().getCode());
        assertTrue(missing.getStatus().getDescription().contains("no-such-job"));
    }
}
