package dev.anneal.gateway.job;

import com.google.protobuf.util.Timestamps;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.Cancellation;
import java.nio.file.Path;

/**
 * One job the gateway knows: its request, its event log, its cancel switch, and its state as folded from
 * the log. Every change goes through {@link #append}, which refuses events after {@code finished}, so a
 * job ends exactly once whoever races to end it (the run, a cancel, a shutdown).
 */
public final class JobRecord {
    private final String id;
    private final Path directory;
    private final EventLog log;
    private final JobObserver observer;
    private final Cancellation cancellation = new Cancellation();
    private final JobProjection projection;
    private TrainRequest request;

    JobRecord(String id, Path directory, EventLog log, JobObserver observer) {
        this.id = id;
        this.directory = directory;
        this.log = log;
        this.observer = observer;
        this.projection = new JobProjection(id);
        for (TrainEvent event : log.after(0)) {
            projection.apply(event);
        }
        this.request = projection.snapshot().getRequest();
    }

    public String id() {
        return id;
    }

    /** The job's own directory: its event journal, model and checkpoints. */
    public Path directory() {
        return directory;
    }

    public synchronized TrainRequest request() {
        return request;
    }

    public EventLog events() {
        return log;
    }

    public Cancellation cancellation() {
        return cancellation;
    }

    /**
     * Appends an event (payload only; the log stamps id, sequence and time).
     *
     * @throws IllegalStateException if the job has already ended
     */
    public TrainEvent append(TrainEvent payload) {
        TrainEvent stored;
        synchronized (this) {
            if (projection.ended()) {
                throw new IllegalStateException("job " + id + " has ended; refusing " + payload.getEventCase());
            }
            stored = log.store(payload);
            projection.apply(stored);
            if (stored.hasAccepted()) {
                request = stored.getAccepted().getRequest();
            }
        }
        log.announce();
        observer.appended(this, stored);
        return stored;
    }

    public synchronized Job snapshot() {
        return projection.snapshot();
    }

    public synchronized JobState state() {
        return projection.state();
    }

    public synchronized boolean ended() {
        return projection.ended();
    }

    /**
     * Moves a queued job to running: QUEUED finishes, SCHEDULED starts and finishes. Returns false (and
     * does nothing) if the job ended while it waited, e.g. cancelled in the queue.
     */
    public boolean start() {
        synchronized (this) {
            if (projection.ended() || projection.state() != JobState.PENDING) {
                return false;
            }
            finishStage(Stage.QUEUED);
            append(stageStarted(Stage.SCHEDULED));
            finishStage(Stage.SCHEDULED);
            return true;
        }
    }

    /** Ends a job that has not started yet as CANCELLED; returns false if it already started or ended. */
    public boolean cancelIfQueued() {
        synchronized (this) {
            if (projection.ended() || projection.state() != JobState.PENDING) {
                return false;
            }
            cancellation.request();
            finishStage(Stage.QUEUED);
            append(TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.CANCELLED)).build());
            return true;
        }
    }

    /** Ends the job FAILED unless it already ended; for runs that died without reporting their end. */
    public boolean failIfRunning(String code, String message) {
        synchronized (this) {
            if (projection.ended()) {
                return false;
            }
            append(TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.FAILED)
                    .setError(JobError.newBuilder().setCode(code).setMessage(message)
                            .setStage(projection.snapshot().getStage()))).build());
            return true;
        }
    }

    private void finishStage(Stage stage) {
        TrainEvent started = lastStarted(stage);
        double seconds = started == null ? 0
                : Math.max(0, (System.currentTimeMillis() - Timestamps.toMillis(started.getTime())) / 1000.0);
        append(TrainEvent.newBuilder().setStageFinished(
                StageFinished.newBuilder().setStage(stage).setDurationSeconds(seconds)).build());
    }

    private TrainEvent lastStarted(Stage stage) {
        for (long sequence = log.lastSequence(); sequence >= 1; sequence--) {
            TrainEvent event = log.get(sequence);
            if (event.hasStageStarted() && event.getStageStarted().getStage() == stage) {
                return event;
            }
        }
        return null;
    }

    static TrainEvent stageStarted(Stage stage) {
        return TrainEvent.newBuilder().setStageStarted(StageStarted.newBuilder().setStage(stage)).build();
    }

    @Override
    public String toString() {
        return "job " + id;
    }
}
