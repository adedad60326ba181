package dev.anneal.worker.main;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worker's environment, exit codes and path rewriting; the protocol itself runs in the gateway's cluster tests. */
class WorkerMainTest {
    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>();
        env.put("ANNEAL_GATEWAY_ADDRESS", "anneal-gateway.ml.svc:9091");
        env.put("ANNEAL_JOB_ID", "20261128-183005-k3f9qz");
        env.put("ANNEAL_ATTEMPT", "2");
        env.put("ANNEAL_JOB_TOKEN", "s3cret");
        env.put("ANNEAL_DATA_DIR", "/data");
        return env;
    }

    @Test
    void settingsComeFromTheEnvironmentAndNeverPrintTheToken() {
        WorkerSettings settings = WorkerSettings.fromEnvironment(environment());
        assertEquals("anneal-gateway.ml.svc:9091", settings.gatewayAddress());
        assertEquals(2, settings.attempt());
        assertEquals(Path.of("/data"), settings.dataDir());
        assertEquals(Duration.ofMinutes(10), settings.reconnectBudget());
        assertFalse(settings.toString().contains("s3cret"));
    }

    @Test
    void aMissingOrMalformedVariableIsNamed() {
        Map<String, String> env = environment();
        env.remove("ANNEAL_JOB_TOKEN");
        var missing = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.fromEnvironment(env));
        assertEquals("ANNEAL_JOB_TOKEN: environment variable is required", missing.getMessage());
        env.put("ANNEAL_JOB_TOKEN", "t");
        env.put("ANNEAL_ATTEMPT", "first");
        var attempt = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.fromEnvironment(env));
        assertTrue(attempt.getMessage().startsWith("ANNEAL_ATTEMPT:"), attempt.getMessage());
        env.put("ANNEAL_ATTEMPT", "1");
        env.put("ANNEAL_GATEWAY_ADDRESS", "gateway");
        var address = assertThrows(IllegalArgumentException.class, () -> WorkerSettings.fromEnvironment(env));
        assertTrue(address.getMessage().startsWith("ANNEAL_GATEWAY_ADDRESS: expected host:port"), address.getMessage());
    }

    @Test
    void anInvalidEnvironmentExitsWithTheCodeThatIsNotRetried() {
        Map<String, String> env = environment();
        env.remove("ANNEAL_DATA_DIR");
        assertEquals(ExitCodes.INVALID, WorkerMain.run(env));
    }

    @Test
    void exitCodesFollowTheReportedEnd() {
        assertEquals(0, ExitCodes.of(Finished.newBuilder().setState(JobState.SUCCEEDED).build()));
        assertEquals(0, ExitCodes.of(Finished.newBuilder().setState(JobState.CANCELLED).build()));
        assertEquals(3, ExitCodes.of(Finished.newBuilder().setState(JobState.FAILED)
                .setError(JobError.newBuilder().setCode("INVALID_ARGUMENT")).build()));
        assertEquals(1, ExitCodes.of(Finished.newBuilder().setState(JobState.FAILED)
                .setError(JobError.newBuilder().setCode("INTERNAL")).build()));
    }

    @Test
    void pathsOnTheStoreAreReportedRelativeToIt() {
        var paths = new WorkerMain.StorePaths(Path.of("/data"));
        TrainEvent finished = paths.relativize(TrainEvent.newBuilder().setFinished(Finished.newBuilder()
                .setModelLocation("/data/jobs/j/model")).build());
        assertEquals("jobs/j/model", finished.getFinished().getModelLocation());
        TrainEvent checkpoint = paths.relativize(TrainEvent.newBuilder().setCheckpointSaved(
                dev.anneal.api.v1.CheckpointSaved.newBuilder().setLocation("/data/jobs/j/checkpoints/checkpoint-3"))
                .build());
        assertEquals("jobs/j/checkpoints/checkpoint-3", checkpoint.getCheckpointSaved().getLocation());
        TrainEvent elsewhere = paths.relativize(TrainEvent.newBuilder().setFinished(Finished.newBuilder()
                .setModelLocation("/scratch/model")).build());
        assertEquals("/scratch/model", elsewhere.getFinished().getModelLocation());
    }
}
