package dev.anneal.gateway.kubernetes;

import dev.anneal.api.v1.JobSpec;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.WorkerEvent;
import dev.anneal.api.v1.WorkerHello;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.workerlink.WorkerAttempts;
import dev.anneal.gateway.workerlink.WorkerChannel;
import dev.anneal.worker.checkpoint.CheckpointInfo;
import dev.anneal.worker.checkpoint.TrainingCheckpoints;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Map;
import java.util.function.BiFunction;
import org.jboss.logging.Logger;

/**
 * The gateway's half of the worker protocol for the kubernetes scheduler: checks who a worker is, hands
 * it the job spec, and appends its events to the job's log in sequence, dropping re-sent ones.
 */
final class WorkerSessions implements WorkerAttempts {
    private static final Logger LOG = Logger.getLogger(WorkerSessions.class);

    private final JobStore store;
    private final Map<String, AttemptState> tracked;
    /** Reads an attempt's token from its Secret: (job id, attempt) -> token or null. */
    private final BiFunction<String, Integer, String> secretTokens;
    private final Path dataDir;

    WorkerSessions(JobStore store, Map<String, AttemptState> tracked, BiFunction<String, Integer, String> secretTokens,
            Path dataDir) {
        this.store = store;
        this.tracked = tracked;
        this.secretTokens = secretTokens;
        this.dataDir = dataDir;
    }

    @Override
    public JobSpec attach(WorkerHello hello, WorkerChannel channel) {
        JobRecord job = store.find(hello.getJobId()).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("job_id: no job \"" + hello.getJobId() + "\"").asRuntimeException());
        AttemptState state = tracked.get(job.id());
        if (state == null || job.ended()) {
            throw Status.FAILED_PRECONDITION.withDescription("job " + job.id() + " has ended " + job.state())
                    .asRuntimeException();
        }
        String expected;
        synchronized (job) {
            expected = state.attempt == hello.getAttempt() ? state.token : null;
        }
        if (expected == null) {
            expected = secretTokens.apply(job.id(), hello.getAttempt());
        }
        if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                hello.getToken().getBytes(StandardCharsets.UTF_8))) {
            throw Status.PERMISSION_DENIED.withDescription("token: does not match attempt " + hello.getAttempt()
                    + " of job " + job.id()).asRuntimeException();
        }
        synchronized (job) {
            if (job.ended()) {
                throw Status.FAILED_PRECONDITION.withDescription("job " + job.id() + " has ended " + job.state())
                        .asRuntimeException();
            }
            if (hello.getAttempt() == state.attempt && !state.created) {
                // The Job exists but its SCHEDULED event is a moment away: the worker dials again.
                throw Status.UNAVAILABLE.withDescription("attempt " + hello.getAttempt() + " of job " + job.id()
                        + " is not recorded yet; try again").asRuntimeException();
            }
            if (hello.getAttempt() != state.attempt) {
                throw Status.FAILED_PRECONDITION.withDescription("attempt " + hello.getAttempt() + " of job "
                        + job.id() + " was superseded by attempt " + state.attempt).asRuntimeException();
            }
            if (!state.bound) {
                // The last event the gateway appends itself before the worker numbers the job's events.
                job.append(TrainEvent.newBuilder().setStageFinished(StageFinished.newBuilder()
                        .setStage(Stage.SCHEDULED).setDurationSeconds(secondsSince(state))).build());
                state.bound = true;
                LOG.infof("job %s: worker of attempt %d connected", job.id(), state.attempt);
            } else {
                LOG.infof("job %s: worker of attempt %d reconnected", job.id(), state.attempt);
            }
            state.channel = channel;
            long last = job.events().lastSequence();
            return JobSpec.newBuilder()
                    .setRequest(requestFor(job, state.attempt))
                    .setAttempt(state.attempt)
                    .setJobDir(dataDir.relativize(job.directory()).toString())
                    .setJobsRoot(dataDir.relativize(store.jobsRoot()).toString())
                    .setFirstSequence(last + 1)
                    .setAcknowledgedSequence(last)
                    .build();
        }
    }

    @Override
    public long deliver(WorkerChannel channel, WorkerEvent event) {
        JobRecord job = store.find(channel.jobId()).orElseThrow(() -> Status.NOT_FOUND
                .withDescription("job_id: no job \"" + channel.jobId() + "\"").asRuntimeException());
        AttemptState state = tracked.get(job.id());
        synchronized (job) {
            if (state == null || job.ended()) {
                throw Status.FAILED_PRECONDITION.withDescription("job " + job.id() + " has ended " + job.state())
                        .asRuntimeException();
            }
            if (channel.attempt() != state.attempt) {
                throw Status.FAILED_PRECONDITION.withDescription("attempt " + channel.attempt() + " of job " + job.id()
                        + " was superseded by attempt " + state.attempt).asRuntimeException();
            }
            long last = job.events().lastSequence();
            if (event.getSequence() <= last) {
                return last;
            }
            if (event.getSequence() != last + 1) {
                throw Status.ABORTED.withDescription("sequence: expected " + (last + 1) + ", got " + event.getSequence()
                        + "; reconnect and re-send from the acknowledged sequence").asRuntimeException();
            }
            job.append(onGatewayStore(event.getEvent()));
            return event.getSequence();
        }
    }

    @Override
    public void detach(WorkerChannel channel) {
        AttemptState state = tracked.get(channel.jobId());
        if (state == null) {
            return;
        }
        synchronized (state.job) {
            if (state.channel == channel) {
                state.channel = null;
            }
        }
    }

    /** A retried attempt resumes from the job's newest checkpoint, if it saved one. */
    static TrainRequest requestFor(JobRecord job, int attempt) {
        TrainRequest request = job.request();
        if (attempt > 1 && newestCheckpointStep(job) > 0) {
            return request.toBuilder().setCheckpoint("latest").build();
        }
        return request;
    }

    /** The step of the job's newest checkpoint, 0 when it has none. */
    static long newestCheckpointStep(JobRecord job) {
        try {
            return new TrainingCheckpoints(job.directory().resolve("checkpoints")).latest().map(CheckpointInfo::step)
                    .orElse(0L);
        } catch (IOException e) {
            LOG.warnf(e, "job %s: cannot list its checkpoints", job.id());
            return 0;
        }
    }

    /** Paths the worker reports relative to the shared store, as paths on the gateway's mount of it. */
    private TrainEvent onGatewayStore(TrainEvent event) {
        if (event.hasFinished() && isRelative(event.getFinished().getModelLocation())) {
            TrainEvent.Builder builder = event.toBuilder();
            builder.getFinishedBuilder().setModelLocation(
                    dataDir.resolve(event.getFinished().getModelLocation()).toString());
            return builder.build();
        }
        if (event.hasCheckpointSaved() && isRelative(event.getCheckpointSaved().getLocation())) {
            TrainEvent.Builder builder = event.toBuilder();
            builder.getCheckpointSavedBuilder().setLocation(
                    dataDir.resolve(event.getCheckpointSaved().getLocation()).toString());
            return builder.build();
        }
        return event;
    }

    private static boolean isRelative(String location) {
        return !location.isEmpty() && !Path.of(location).isAbsolute();
    }

    private static double secondsSince(AttemptState state) {
        return state.scheduledAt == null ? 0
                : Math.max(0, (System.currentTimeMillis() - state.scheduledAt.toEpochMilli()) / 1000.0);
    }
}
