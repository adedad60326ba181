package dev.anneal.api.client;

import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.ListJobsResponse;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.api.v1.WatchRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A small but real TrainService for the client tests: jobs with durable per-job event logs that streams
 * replay and then follow. A job emits TRAIN stage events and {@code max_steps} progress events and succeeds;
 * when {@link #holdJobs} is set each job pauses after its first progress event until {@link #release()}.
 * The base "fail" makes a job fail in CREATE_MODEL; an empty base is refused with INVALID_ARGUMENT.
 */
final class InMemoryTrainService extends TrainServiceGrpc.TrainServiceImplBase {

    private final Map<String, JobRecord> jobs = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();
    volatile boolean holdJobs;
    /** When positive, the next streams break after this many events: Train with UNAVAILABLE, Watch by closing. */
    volatile int breakStreamsAfter;
    volatile int streamsToBreak;
    private final CountDownLatch released = new CountDownLatch(1);
    final List<Thread> runners = new ArrayList<>();

    void release() {
        released.countDown();
    }

    JobRecord job(String id) {
        return jobs.get(id);
    }

    @Override
    public void train(TrainRequest request, StreamObserver<TrainEvent> responses) {
        if (request.getBase().isEmpty()) {
            responses.onError(Status.INVALID_ARGUMENT.withDescription("base: must not be empty").asRuntimeException());
            return;
        }
        JobRecord job = new JobRecord("job-" + ids.incrementAndGet(), request);
        jobs.put(job.id, job);
        job.append(TrainEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(request)));
        Thread runner = new Thread(() -> run(job), "in-memory-job-" + job.id);
        runners.add(runner);
        runner.start();
        follow(job, 0, (ServerCallStreamObserver<TrainEvent>) responses, true);
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<TrainEvent> responses) {
        JobRecord job = jobs.get(request.getJobId());
        if (job == null) {
            responses.onError(Status.NOT_FOUND.withDescription("job " + request.getJobId() + " not found")
                    .asRuntimeException());
            return;
        }
        follow(job, request.getAfterSequence(), (ServerCallStreamObserver<TrainEvent>) responses, false);
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> responses) {
        JobRecord job = jobs.get(request.getJobId());
        if (job == null) {
            responses.onError(Status.NOT_FOUND.withDescription("job " + request.getJobId() + " not found")
                    .asRuntimeException());
            return;
        }
        responses.onNext(job.snapshot());
        responses.onCompleted();
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
        ListJobsResponse.Builder response = ListJobsResponse.newBuilder();
        jobs.values().stream()
                .sorted((a, b) -> b.id.compareTo(a.id))
                .filter(j -> j.request.getLabelsMap().entrySet().containsAll(request.getLabelSelectorMap().entrySet()))
                .forEach(j -> response.addJobs(j.snapshot()));
        responses.onNext(response.build());
        responses.onCompleted();
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> responses) {
        JobRecord job = jobs.get(request.getJobId());
        if (job == null) {
            responses.onError(Status.NOT_FOUND.withDescription("job " + request.getJobId() + " not found")
                    .asRuntimeException());
            return;
        }
        if (job.ended()) {
            responses.onError(Status.FAILED_PRECONDITION.withDescription("job " + job.id + " has already ended")
                    .asRuntimeException());
            return;
        }
        job.cancelRequested = true;
        release();
        responses.onNext(job.snapshot());
        responses.onCompleted();
    }

    private void run(JobRecord job) {
        try {
            job.append(TrainEvent.newBuilder().setStageStarted(StageStarted.newBuilder().setStage(Stage.TRAIN)));
            long maxSteps = job.request.getArgs().hasMaxSteps() ? job.request.getArgs().getMaxSteps() : 3;
            if (job.request.getBase().equals("fail")) {
                job.finish(Finished.newBuilder().setState(JobState.FAILED).setError(JobError.newBuilder()
                        .setCode("INVALID_ARGUMENT").setMessage("config.json: missing").setStage(Stage.CREATE_MODEL)));
                return;
            }
            for (long step = 1; step <= maxSteps; step++) {
                if (job.cancelRequested) {
                    job.finish(Finished.newBuilder().setState(JobState.CANCELLED));
                    return;
                }
                job.append(TrainEvent.newBuilder().setProgress(Progress.newBuilder()
                        .setGlobalStep(step).setMaxSteps(maxSteps).setLoss(1.0 / step)));
                if (step == 1 && holdJobs) {
                    released.await(10, TimeUnit.SECONDS);
                }
            }
            if (job.cancelRequested) {
                job.finish(Finished.newBuilder().setState(JobState.CANCELLED));
                return;
            }
            job.append(TrainEvent.newBuilder().setStageFinished(
                    StageFinished.newBuilder().setStage(Stage.TRAIN).setDurationSeconds(0.5)));
            job.finish(Finished.newBuilder().setState(JobState.SUCCEEDED)
                    .setModelLocation("/models/" + job.id).putMetrics("train_loss", 0.25));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Replays the log after {@code after}, then follows it until the finished event has been sent. */
    private void follow(JobRecord job, long after, ServerCallStreamObserver<TrainEvent> responses, boolean train) {
        boolean breaks = streamsToBreak > 0;
        if (breaks) {
            streamsToBreak--;
        }
        Thread sender = new Thread(() -> {
            long next = after + 1;
            int sent = 0;
            try {
                while (!responses.isCancelled()) {
                    if (breaks && sent == breakStreamsAfter) {
                        if (train) {
                            responses.onError(Status.UNAVAILABLE.withDescription("gateway restarting")
                                    .asRuntimeException());
                        } else {
                            responses.onCompleted();
                        }
                        return;
                    }
                    TrainEvent event = job.await(next);
                    if (event == null) {
                        continue;
                    }
                    responses.onNext(event);
                    sent++;
                    next++;
                    if (event.hasFinished()) {
                        responses.onCompleted();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // The client went away.
            }
        }, "in-memory-stream-" + job.id);
        sender.setDaemon(true);
        sender.start();
    }

    static final class JobRecord {
        final String id;
        final TrainRequest request;
        final List<TrainEvent> events = new ArrayList<>();
        volatile boolean cancelRequested;

        JobRecord(String id, TrainRequest request) {
            this.id = id;
            this.request = request;
        }

        synchronized void append(TrainEvent.Builder event) {
            events.add(event.setJobId(id).setSequence(events.size() + 1)
                    .setTime(Timestamp.newBuilder().setSeconds(System.currentTimeMillis() / 1000)).build());
            notifyAll();
        }

        void finish(Finished.Builder finished) {
            append(TrainEvent.newBuilder().setFinished(finished));
        }

        synchronized TrainEvent await(long sequence) throws InterruptedException {
            if (events.size() < sequence) {
                wait(100);
            }
            return events.size() >= sequence ? events.get((int) sequence - 1) : null;
        }

        synchronized boolean ended() {
            return !events.isEmpty() && events.get(events.size() - 1).hasFinished();
        }

        synchronized Job snapshot() {
            Job.Builder job = Job.newBuilder().setJobId(id).setRequest(request).setLastSequence(events.size());
            if (ended()) {
                Finished finished = events.get(events.size() - 1).getFinished();
                job.setState(finished.getState()).setModelLocation(finished.getModelLocation());
            } else {
                job.setState(JobState.RUNNING);
            }
            return job.build();
        }
    }
}
