package dev.anneal.worker.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.RunFailure;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** tokenizebatch: 0 (txtai's default of 1000) or a positive row count; negatives name the field. */
class TokenizeBatchValidationTest {
    private static TrainRequest.Builder request() {
        Struct row = Struct.newBuilder().putFields("text", Value.newBuilder().setStringValue("a cat").build())
                .putFields("label", Value.newBuilder().setNumberValue(0).build()).build();
        return TrainRequest.newBuilder().setBase("/models/base")
                .setTrain(Dataset.newBuilder().setRows(Rows.newBuilder().addRows(row)));
    }

    @Test
    void acceptsTheDefaultAndPositiveSizes() {
        RequestValidator.validate(request().build());
        RequestValidator.validate(request().setTokenizebatch(1).build());
        RequestValidator.validate(request().setTokenizebatch(4096).build());
    }

    @Test
    void refusesANegativeSizeNamingTheField() {
        RunFailure failure = assertThrows(RunFailure.class,
                () -> RequestValidator.validate(request().setTokenizebatch(-1).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertEquals("tokenizebatch: must be >= 0 (0 means 1000), got -1", failure.getMessage());
    }
}
