package dev.anneal.api.client;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;

/**
 * How a followed job ended.
 *
 * @param jobId the job
 * @param lastSequence the sequence of the finished event
 * @param finished the finished event: state, model location, metrics or error
 */
public record JobOutcome(String jobId, long lastSequence, Finished finished) {

    public JobState state() {
        return finished.getState();
    }

    public boolean succeeded() {
        return finished.getState() == JobState.SUCCEEDED;
    }
}
