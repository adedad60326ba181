package dev.anneal.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.api.v1.CheckpointSaved;
import dev.anneal.api.v1.TrainEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobProjectionTest {
    @Test
    void listsTheCheckpointsThatStillExistOldestFirst(@TempDir Path checkpoints) throws Exception {
        JobProjection projection = new JobProjection("job-1");
        long sequence = 1;
        for (int step : new int[] {2, 4, 6}) {
            Path dir = Files.createDirectories(checkpoints.resolve("checkpoint-" + step));
            projection.apply(TrainEvent.newBuilder().setSequence(sequence++).setCheckpointSaved(CheckpointSaved.newBuilder()
                    .setGlobalStep(step).setLocation(dir.toString()).putMetrics("eval_loss", 1.0 / step)).build());
        }
        Files.delete(checkpoints.resolve("checkpoint-2"));

        var listed = projection.snapshot().getCheckpointsList();
        assertEquals(2, listed.size());
        assertEquals(4, listed.get(0).getGlobalStep());
        assertEquals(6, listed.get(1).getGlobalStep());
        assertEquals(1.0 / 6, listed.get(1).getMetricsOrThrow("eval_loss"), 0.0);
    }
}
