package dev.anneal.gateway.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.TrainEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class EventLogTest {
    private static TrainEvent log(String message) {
        return TrainEvent.newBuilder().setLog(Log.newBuilder().setMessage(message)).build();
    }

    @Test
    void appendStampsJobIdSequenceAndTime() {
        EventLog events = new EventLog("job-1", EventJournal.none(), Clock.systemUTC());
        TrainEvent first = events.append(log("a"));
        TrainEvent second = events.append(log("b"));
        assertEquals("job-1", first.getJobId());
        assertEquals(1, first.getSequence());
        assertEquals(2, second.getSequence());
        assertEquals(true, first.getTime().getSeconds() > 0);
        assertEquals(2, events.lastSequence());
        assertEquals(second, events.get(2));
        assertNull(events.get(3));
        assertEquals(List.of(second), events.after(1));
        assertEquals(List.of(), events.after(5));
    }

    @Test
    void followersAreWokenAfterEachAppendUntilTheyStop() {
        EventLog events = new EventLog("job-1", EventJournal.none(), Clock.systemUTC());
        AtomicInteger wakeUps = new AtomicInteger();
        EventLog.Following following = events.follow(wakeUps::incrementAndGet);
        events.append(log("a"));
        events.append(log("b"));
        following.close();
        events.append(log("c"));
        assertEquals(2, wakeUps.get());
    }

    @Test
    void awaitReturnsTheEventOnceAnotherThreadAppendsIt() throws Exception {
        EventLog events = new EventLog("job-1", EventJournal.none(), Clock.systemUTC());
        CountDownLatch waiting = new CountDownLatch(1);
        Thread appender = new Thread(() -> {
            try {
                waiting.await(5, TimeUnit.SECONDS);
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            events.append(log("late"));
        });
        appender.start();
        waiting.countDown();
        TrainEvent event = events.await(1, Duration.ofSeconds(5));
        assertEquals("late", event.getLog().getMessage());
        assertNull(events.await(2, Duration.ofMillis(20)));
        appender.join();
    }
}
