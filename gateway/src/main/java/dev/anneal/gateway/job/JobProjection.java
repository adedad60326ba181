package dev.anneal.gateway.job;

import dev.anneal.api.v1.CheckpointSaved;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import java.nio.file.Files;
import java.nio.file.Path;

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
            case CHECKPOINT_SAVED -> job.addCheckpoints(event.getCheckpointSaved());
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

    /** The job now; checkpoints that rotation (save_total_limit) has deleted since are left out. */
    Job snapshot() {
        Job.Builder now = job.clone().clearCheckpoints();
        for (CheckpointSaved checkpoint : job.getCheckpointsList()) {
            if (Files.isDirectory(Path.of(checkpoint.getLocation()))) {
                now.addCheckpoints(checkpoint);
            }
        }
        return now.build();
    }
}
