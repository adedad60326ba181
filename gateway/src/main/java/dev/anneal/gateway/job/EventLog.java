package dev.anneal.gateway.job;

import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.TrainEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * One job's events in order. Appending stamps the job id, the next sequence (1, 2, 3, ... without gaps)
 * and the time, makes the event durable in the journal, and then wakes every follower. Readers address
 * events by sequence, so each follower keeps its own cursor and the log never pushes events at anyone.
 */
public final class EventLog implements AutoCloseable {
    private final String jobId;
    private final EventJournal journal;
    private final Clock clock;
    private final List<TrainEvent> events;
    private final List<Runnable> followers = new CopyOnWriteArrayList<>();

    public EventLog(String jobId, EventJournal journal, Clock clock) {
        this.jobId = jobId;
        this.journal = journal;
        this.clock = clock;
        this.events = new ArrayList<>(journal.recovered());
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).getSequence() != i + 1) {
                throw new IllegalStateException("event log of job " + jobId + " has sequence "
                        + events.get(i).getSequence() + " at position " + (i + 1));
            }
        }
    }

    public String jobId() {
        return jobId;
    }

    /** Stamps, stores and announces an event; returns it as stored. */
    public TrainEvent append(TrainEvent payload) {
        TrainEvent stored = store(payload);
        announce();
        return stored;
    }

    /** Stamps and stores an event without waking followers; the caller must {@link #announce()} after. */
    synchronized TrainEvent store(TrainEvent payload) {
        Instant now = clock.instant();
        TrainEvent stored = payload.toBuilder()
                .setJobId(jobId)
                .setSequence(events.size() + 1L)
                .setTime(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .build();
        journal.append(stored);
        events.add(stored);
        notifyAll();
        return stored;
    }

    /** Wakes the followers; each reads on from its own cursor. */
    void announce() {
        for (Runnable follower : followers) {
            follower.run();
        }
    }

    public synchronized long lastSequence() {
        return events.size();
    }

    /** The event with this sequence, or null when it has not been appended yet. */
    public synchronized TrainEvent get(long sequence) {
        if (sequence < 1 || sequence > events.size()) {
            return null;
        }
        return events.get((int) (sequence - 1));
    }

    /** Every event with a sequence greater than {@code afterSequence}. */
    public synchronized List<TrainEvent> after(long afterSequence) {
        int from = (int) Math.min(Math.max(afterSequence, 0), events.size());
        return List.copyOf(events.subList(from, events.size()));
    }

    /**
     * Waits until the event with {@code sequence} exists and returns it, or null after {@code timeout}.
     * For callers that own a thread; streams use {@link #follow} instead.
     */
    public synchronized TrainEvent await(long sequence, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (sequence > events.size()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return get(sequence);
    }

    /** Calls {@code onAppend} after every append, on the appending thread, until the result is closed. */
    public Following follow(Runnable onAppend) {
        followers.add(onAppend);
        return () -> followers.remove(onAppend);
    }

    @Override
    public void close() {
        journal.close();
    }

    /** Stops a follower. */
    @FunctionalInterface
    public interface Following extends AutoCloseable {
        @Override
        void close();
    }
}
