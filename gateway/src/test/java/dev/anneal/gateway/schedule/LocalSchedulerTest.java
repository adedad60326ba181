package dev.anneal.gateway.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.job.JobObserver;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scheduling only: the run is a small loop that honours cancellation like the pipeline does. */
class LocalSchedulerTest {
    @TempDir
    Path root;

    private final CountDownLatch started = new CountDownLatch(1);

    /** Runs until cancelled, one "step" per 10 ms, then reports CANCELLED like JobRunner. */
    private final JobExecution untilCancelled = (request, environment, events, cancellation) -> {
        started.countDown();
        while (!cancellation.isRequested()) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        events.emit(TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.CANCELLED)).build());
        return JobState.CANCELLED;
    };

    private static JobRecord create(JobStore store) {
        return store.create(TrainRequest.newBuilder().setBase("b").build()).job();
    }

    private static void awaitEnd(JobRecord job) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!job.ended() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void runsQueuedJobsAndRefusesWhenTheQueueIsFull() throws Exception {
        try (JobStore store = JobStore.open(root, false, JobObserver.NONE, Clock.systemUTC());
                LocalScheduler scheduler = new LocalScheduler(1, 1, untilCancelled, root, null)) {
            JobRecord running = create(store);
            scheduler.submit(running);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            JobRecord waiting = create(store);
            scheduler.submit(waiting);
            assertEquals(1, scheduler.running());
            assertEquals(1, scheduler.queued());
            assertThrows(QueueFullException.class, () -> scheduler.submit(create(store)));

            scheduler.cancel(waiting);
            assertEquals(JobState.CANCELLED, waiting.state());
            assertEquals(0, scheduler.queued());
            List<TrainEvent> events = waiting.events().after(0);
            assertEquals(Stage.QUEUED, events.get(2).getStageFinished().getStage());
            assertTrue(events.get(3).hasFinished());

            assertEquals(JobState.RUNNING, running.state());
            scheduler.cancel(running);
            awaitEnd(running);
            assertEquals(JobState.CANCELLED, running.state());
            List<Stage> platform = running.events().after(0).stream().filter(TrainEvent::hasStageStarted)
                    .map(e -> e.getStageStarted().getStage()).toList();
            assertEquals(List.of(Stage.QUEUED, Stage.SCHEDULED), platform);
        }
    }

    @Test
    void aRunThatThrowsEndsFailed() throws Exception {
        JobExecution broken = (request, environment, events, cancellation) -> {
            throw new IllegalStateException("boom");
        };
        try (JobStore store = JobStore.open(root, false, JobObserver.NONE, Clock.systemUTC());
                LocalScheduler scheduler = new LocalScheduler(1, 1, broken, root, null)) {
            JobRecord job = create(store);
            scheduler.submit(job);
            awaitEnd(job);
            assertEquals(JobState.FAILED, job.state());
            assertEquals("INTERNAL", job.snapshot().getError().getCode());
        }
    }
}
