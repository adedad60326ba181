package dev.anneal.gateway.kubernetes;

import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.workerlink.WorkerChannel;
import java.time.Instant;

/**
 * Where one unfinished job stands with the kubernetes scheduler. Guarded by the job's monitor
 * ({@code synchronized (job)}), the same lock its appends take, so a state change and the event that
 * records it happen together. Everything but the connected channel and the cached token can be
 * re-derived from the job's event log (see {@link #fromLog}), which is how a restarted gateway re-adopts.
 */
final class AttemptState {
    final JobRecord job;
    /** 1 for the first pod, one more per {@code retrying} event. */
    int attempt = 1;
    /** The attempt's Kubernetes Job was created (SCHEDULED started since the last retry). */
    boolean created;
    /**
     * A worker of this attempt connected (SCHEDULED finished). From then on the worker numbers the job's
     * events and the gateway appends none of its own until the attempt is over.
     */
    boolean bound;
    /** The Job was seen in the informer's cache (or must be there: re-adopted after a restart). */
    boolean expectJob;
    Instant scheduledAt;
    String lastWaitingReason;
    WorkerChannel channel;
    /** The attempt's token as created here; null after a restart (then read from its Secret). */
    String token;

    private AttemptState(JobRecord job) {
        this.job = job;
    }

    /** The job's attempt state as its events record it. */
    static AttemptState fromLog(JobRecord job, Instant now) {
        AttemptState state = new AttemptState(job);
        for (TrainEvent event : job.events().after(0)) {
            if (event.hasRetrying()) {
                state.attempt = event.getRetrying().getAttempt();
                state.created = false;
                state.bound = false;
            } else if (event.hasStageStarted() && event.getStageStarted().getStage() == Stage.SCHEDULED) {
                state.created = true;
            } else if (event.hasStageFinished() && event.getStageFinished().getStage() == Stage.SCHEDULED) {
                state.bound = true;
            }
        }
        state.expectJob = state.created;
        state.scheduledAt = now;
        return state;
    }

    /** Moves on to the next attempt after a {@code retrying} event. */
    void nextAttempt() {
        attempt++;
        created = false;
        bound = false;
        expectJob = false;
        scheduledAt = null;
        lastWaitingReason = null;
        channel = null;
        token = null;
    }
}
