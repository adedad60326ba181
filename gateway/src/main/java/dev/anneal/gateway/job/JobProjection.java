package dev.anneal.gateway.job;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;

/**
 * A job as its events describe it. The event log is the only thing the gateway stores about a job;
 * state, stage, timestamps, last progress and result are folded from it, so a restarted gateway rebuilds
 * every job by replaying its log.
 */
final class JobProjection {
    private final Job.Builder job;

    JobProjection(String jobId) {
        job = Job.newBuilder().setJobId(jobId).setState(JobState.PENDING);
    }

    void apply(TrainEvent event) {
        job.setLastSequence(event.getSequence());
        switch (event.getEventCase()) {
            case ACCEPTED -> job.setCreated(event.getTime()).setRequest(event.getAccepted().getRequest());
            case STAGE_STARTED -> {
                Stage stage = event.getStageStarted().getStage();
                job.setStage(stage);
                if (stage == Stage.SCHEDULED) {
                    job.setState(JobState.RUNNING).setStarted(event.getTime());
                }
            }
            case PROGRESS -> job.setProgress(event.getProgress());
            case FINISHED -> {
                Finished finished = event.getFinished();
                job.setState(finished.getState()).setEnded(event.getTime())
                        .setModelLocation(finished.getModelLocation())
                        .putAllMetrics(finished.getMetricsMap());
                if (finished.hasError()) {
                    job.setError(finished.getError());
                }
            }
            default -> {
            }
        }
    }

    JobState state() {
        return job.getState();
    }

    boolean ended() {
        JobState state = job.getState();
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED;
    }

    Job snapshot() {
        return job.build();
    }
}
