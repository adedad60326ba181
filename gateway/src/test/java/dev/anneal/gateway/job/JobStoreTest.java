package dev.anneal.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobStoreTest {
    @TempDir
    Path root;

    private JobStore open() {
        return JobStore.open(root, false, JobObserver.NONE, Clock.systemUTC());
    }

    private static TrainRequest request(String base, String key, Map<String, String> labels) {
        return TrainRequest.newBuilder().setBase(base).setIdempotencyKey(key).putAllLabels(labels).build();
    }

    private static TrainEvent finished(JobState state) {
        return TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(state)).build();
    }

    @Test
    void createdJobStartsWithAcceptedAndQueued() {
        try (JobStore store = open()) {
            JobRecord job = store.create(request("b", "", Map.of())).job();
            assertTrue(job.events().get(1).hasAccepted());
            assertEquals("b", job.events().get(1).getAccepted().getRequest().getBase());
            assertEquals(Stage.QUEUED, job.events().get(2).getStageStarted().getStage());
            Job snapshot = job.snapshot();
            assertEquals(JobState.PENDING, snapshot.getState());
            assertEquals(Stage.QUEUED, snapshot.getStage());
            assertEquals(2, snapshot.getLastSequence());
            assertTrue(Files.isRegularFile(job.directory().resolve(JobStore.EVENTS_FILE)));
        }
    }

    @Test
    void idempotencyKeyReturnsTheSameJobForTheSameRequestAndRefusesADifferentOne() {
        try (JobStore store = open()) {
            JobStore.Creation first = store.create(request("b", "key-1", Map.of()));
            JobStore.Creation again = store.create(request("b", "key-1", Map.of()));
            assertTrue(first.created());
            assertFalse(again.created());
            assertSame(first.job(), again.job());
            JobConflictException conflict = assertThrows(JobConflictException.class,
                    () -> store.create(request("other", "key-1", Map.of())));
            assertEquals(first.job().id(), conflict.existingJobId());
            assertTrue(conflict.getMessage().startsWith("idempotency_key:"), conflict.getMessage());
        }
    }

    @Test
    void listIsNewestFirstFilteredByLabelsAndLimited() {
        try (JobStore store = open()) {
            JobRecord a = store.create(request("a", "", Map.of("team", "x"))).job();
            JobRecord b = store.create(request("b", "", Map.of("team", "y"))).job();
            JobRecord c = store.create(request("c", "", Map.of("team", "x", "size", "s"))).job();
            assertEquals(List.of(c.id(), b.id(), a.id()), ids(store.list(10, Map.of(), null)));
            assertEquals(List.of(c.id(), a.id()), ids(store.list(10, Map.of("team", "x"), null)));
            assertEquals(List.of(c.id()), ids(store.list(1, Map.of("team", "x"), null)));
            assertEquals(List.of(c.id()), ids(store.list(10, Map.of("size", "s"), null)));
        }
    }

    @Test
    void pagesContinueAfterTheLastJobOfThePageBefore() {
        try (JobStore store = open()) {
            JobRecord a = store.create(request("a", "", Map.of("team", "x"))).job();
            JobRecord b = store.create(request("b", "", Map.of("team", "y"))).job();
            JobRecord c = store.create(request("c", "", Map.of("team", "x"))).job();
            JobRecord d = store.create(request("d", "", Map.of("team", "x"))).job();
            JobStore.JobPage first = store.list(2, Map.of("team", "x"), null);
            assertEquals(List.of(d.id(), c.id()), ids(first));
            assertTrue(first.more());
            JobStore.JobPage second = store.list(2, Map.of("team", "x"), c.id());
            assertEquals(List.of(a.id()), ids(second), "b does not match; a is the last match");
            assertFalse(second.more());
            assertFalse(store.list(3, Map.of("team", "x"), null).more(), "exactly three match: no further page");
            assertEquals(List.of(), ids(store.list(2, Map.of(), a.id())));
            assertThrows(IllegalArgumentException.class, () -> store.list(2, Map.of(), "no-such-job"));
            assertEquals(List.of(c.id(), b.id()), ids(store.list(2, Map.of(), d.id())));
        }
    }

    @Test
    void aJobEndsExactlyOnce() {
        try (JobStore store = open()) {
            JobRecord job = store.create(request("b", "", Map.of())).job();
            assertTrue(job.cancelIfQueued());
            assertEquals(JobState.CANCELLED, job.state());
            assertFalse(job.start());
            assertFalse(job.failIfRunning("INTERNAL", "late"));
            assertThrows(IllegalStateException.class, () -> job.append(finished(JobState.SUCCEEDED)));
            assertEquals(JobState.CANCELLED, job.snapshot().getState());
        }
    }

    @Test
    void reopenedStoreServesHistoryAndEndsJobsThatWereCutOff() {
        String done;
        String cutOff;
        List<TrainEvent> doneEvents;
        try (JobStore store = open()) {
            JobRecord first = store.create(request("a", "k", Map.of("l", "1"))).job();
            assertTrue(first.start());
            first.append(finished(JobState.SUCCEEDED));
            done = first.id();
            doneEvents = first.events().after(0);
            JobRecord second = store.create(request("b", "", Map.of())).job();
            assertTrue(second.start());
            cutOff = second.id();
        }
        try (JobStore store = open()) {
            JobRecord first = store.find(done).orElseThrow();
            assertEquals(doneEvents, first.events().after(0));
            assertEquals(JobState.SUCCEEDED, first.state());
            assertEquals(Map.of("l", "1"), first.snapshot().getRequest().getLabelsMap());

            JobRecord second = store.find(cutOff).orElseThrow();
            assertEquals(JobState.FAILED, second.state());
            assertEquals("ABORTED", second.snapshot().getError().getCode());
            assertEquals(List.of(cutOff, done), ids(store.list(10, Map.of(), null)));
            // The idempotency key survives the restart.
            assertSame(first, store.create(request("a", "k", Map.of("l", "1"))).job());
        }
    }

    @Test
    void discardForgetsTheJobAndDeletesItsDirectory() {
        try (JobStore store = open()) {
            JobRecord job = store.create(request("b", "k", Map.of())).job();
            store.discard(job);
            assertTrue(store.find(job.id()).isEmpty());
            assertFalse(Files.exists(job.directory()));
            assertTrue(store.create(request("b", "k", Map.of())).created());
        }
    }

    private static List<String> ids(JobStore.JobPage page) {
        return page.jobs().stream().map(Job::getJobId).toList();
    }
}
