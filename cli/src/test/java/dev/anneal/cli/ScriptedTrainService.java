package dev.anneal.cli;

import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.DeleteDatasetRequest;
import dev.anneal.api.v1.ListDatasetsRequest;
import dev.anneal.api.v1.ListDatasetsResponse;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.api.v1.Evaluation;
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
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TrainService for the CLI tests that runs no model: a job's whole event log (the fourteen stages,
 * progress, evaluation, finished) is written at submission and streamed to callers. Bases steer it:
 * "invalid" is refused with INVALID_ARGUMENT, "fail" fails in CREATE_MODEL, "cancelled" ends CANCELLED.
 * Requests are kept so tests can look at what the CLI sent.
 */
final class ScriptedTrainService extends TrainServiceGrpc.TrainServiceImplBase {

    final List<TrainRequest> received = new ArrayList<>();
    private final Map<String, List<TrainEvent>> logs = new ConcurrentHashMap<>();
    private final Map<String, TrainRequest> requests = new ConcurrentHashMap<>();
    private final AtomicInteger ids = new AtomicInteger();

    @Override
    public synchronized void train(TrainRequest request, StreamObserver<TrainEvent> responses) {
        received.add(request);
        if (request.getBase().equals("invalid")) {
            responses.onError(Status.INVALID_ARGUMENT.withDescription("train.rows[3]: missing column 'label'")
                    .asRuntimeException());
            return;
        }
        String id = "job-" + ids.incrementAndGet();
        requests.put(id, request);
        List<TrainEvent> log = new ArrayList<>();
        add(log, id, TrainEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(request)));
        for (int stage = Stage.VALIDATE_VALUE; stage <= Stage.FINISH_VALUE; stage++) {
            Stage s = Stage.forNumber(stage);
            add(log, id, TrainEvent.newBuilder().setStageStarted(StageStarted.newBuilder().setStage(s)));
            if (s == Stage.CREATE_MODEL && request.getBase().equals("fail")) {
                add(log, id, TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.FAILED)
                        .setError(JobError.newBuilder().setCode("INVALID_ARGUMENT").setStage(s)
                                .setMessage("config.json: model_type 'gpt9' is not supported"))));
                break;
            }
            if (s == Stage.TRAIN) {
                for (int step = 1; step <= 4; step++) {
                    if (step == 3 && request.getBase().equals("cancelled")) {
                        break;
                    }
                    add(log, id, TrainEvent.newBuilder().setProgress(Progress.newBuilder().setGlobalStep(step)
                            .setMaxSteps(4).setEpoch(step / 2.0).setLoss(0.8 / step).setLearningRate(5e-5 * (4 - step) / 4)
                            .setSamplesPerSecond(12.5).setEtaSeconds(4 - step)));
                }
                if (request.getBase().equals("cancelled")) {
                    add(log, id, TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.CANCELLED)));
                    break;
                }
            }
            if (s == Stage.EVALUATE) {
                add(log, id, TrainEvent.newBuilder().setEvaluation(Evaluation.newBuilder().setGlobalStep(4)
                        .setEpoch(2).putMetrics("eval_loss", 0.125).putMetrics("eval_accuracy", 1.0)));
            }
            add(log, id, TrainEvent.newBuilder().setStageFinished(StageFinished.newBuilder().setStage(s)
                    .setDurationSeconds(0.25)));
        }
        if (!log.get(log.size() - 1).hasFinished()) {
            add(log, id, TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.SUCCEEDED)
                    .setModelLocation("/store/models/" + id).putMetrics("train_loss", 0.3)
                    .putMetrics("eval_accuracy", 1.0)));
        }
        logs.put(id, log);
        stream(log, 0, responses);
    }

    @Override
    public void watch(WatchRequest request, StreamObserver<TrainEvent> responses) {
        List<TrainEvent> log = logs.get(request.getJobId());
        if (log == null) {
            responses.onError(notFound(request.getJobId()));
            return;
        }
        stream(log, request.getAfterSequence(), responses);
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> responses) {
        if (!logs.containsKey(request.getJobId())) {
            responses.onError(notFound(request.getJobId()));
            return;
        }
        responses.onNext(job(request.getJobId()));
        responses.onCompleted();
    }

    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responses) {
        ListJobsResponse.Builder list = ListJobsResponse.newBuilder();
        logs.keySet().stream().sorted((a, b) -> b.compareTo(a)).forEach(id -> list.addJobs(job(id)));
        responses.onNext(list.build());
        responses.onCompleted();
    }

    @Override
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> responses) {
        if (!logs.containsKey(request.getJobId())) {
            responses.onError(notFound(request.getJobId()));
            return;
        }
        responses.onError(Status.FAILED_PRECONDITION.withDescription("job " + request.getJobId()
                + " has already ended (SUCCEEDED)").asRuntimeException());
    }

    /** Upload streams as received: the metadata and the bytes of each stored data set, by id. */
    final Map<String, UploadMetadata> uploadedMetadata = new ConcurrentHashMap<>();
    final Map<String, byte[]> uploadedBytes = new ConcurrentHashMap<>();
    private final Map<String, DatasetInfo> datasets = new java.util.LinkedHashMap<>();

    /** Keeps the bytes in memory; checks the declared sha256 like the gateway; ids count up from ds-0...01. */
    @Override
    public StreamObserver<UploadDatasetRequest> uploadDataset(StreamObserver<DatasetInfo> responses) {
        return new StreamObserver<>() {
            private UploadMetadata metadata;
            private final java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();

            @Override
            public void onNext(UploadDatasetRequest request) {
                if (request.hasMetadata()) {
                    metadata = request.getMetadata();
                } else {
                    bytes.writeBytes(request.getChunk().toByteArray());
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                String sha256;
                try {
                    sha256 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                            .digest(bytes.toByteArray()));
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new IllegalStateException(e);
                }
                if (!metadata.getSha256().isEmpty() && !metadata.getSha256().equals(sha256)) {
                    responses.onError(Status.INVALID_ARGUMENT.withDescription("metadata.sha256: mismatch")
                            .asRuntimeException());
                    return;
                }
                DatasetInfo info;
                synchronized (datasets) {
                    String id = String.format("ds-%032x", datasets.size() + 1);
                    info = DatasetInfo.newBuilder().setDatasetId(id).setFormat(metadata.getFormat())
                            .setFilename(metadata.getFilename()).setSizeBytes(bytes.size()).setSha256(sha256)
                            .putAllLabels(metadata.getLabelsMap())
                            .setCreated(Timestamp.newBuilder().setSeconds(1_700_000_000L)).build();
                    datasets.put(id, info);
                }
                uploadedMetadata.put(info.getDatasetId(), metadata);
                uploadedBytes.put(info.getDatasetId(), bytes.toByteArray());
                responses.onNext(info);
                responses.onCompleted();
            }
        };
    }

    @Override
    public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> responses) {
        synchronized (datasets) {
            responses.onNext(ListDatasetsResponse.newBuilder().addAllDatasets(datasets.values()).build());
        }
        responses.onCompleted();
    }

    @Override
    public void deleteDataset(DeleteDatasetRequest request, StreamObserver<DatasetInfo> responses) {
        DatasetInfo removed;
        synchronized (datasets) {
            removed = datasets.remove(request.getDatasetId());
        }
        if (removed == null) {
            responses.onError(Status.NOT_FOUND.withDescription("dataset_id: no data set \"" + request.getDatasetId()
                    + "\"").asRuntimeException());
            return;
        }
        responses.onNext(removed);
        responses.onCompleted();
    }

    private Job job(String id) {
        List<TrainEvent> log = logs.get(id);
        Finished finished = log.get(log.size() - 1).getFinished();
        return Job.newBuilder().setJobId(id).setState(finished.getState()).setStage(Stage.FINISH)
                .setRequest(requests.get(id)).setLastSequence(log.size())
                .setCreated(Timestamp.newBuilder().setSeconds(1_700_000_000L))
                .setProgress(Progress.newBuilder().setGlobalStep(4).setMaxSteps(4)).build();
    }

    private static void stream(List<TrainEvent> log, long after, StreamObserver<TrainEvent> responses) {
        for (TrainEvent event : log) {
            if (event.getSequence() > after) {
                responses.onNext(event);
            }
        }
        responses.onCompleted();
    }

    private static void add(List<TrainEvent> log, String id, TrainEvent.Builder event) {
        log.add(event.setJobId(id).setSequence(log.size() + 1).build());
    }

    private static RuntimeException notFound(String id) {
        return Status.NOT_FOUND.withDescription("job " + id + " not found").asRuntimeException();
    }
}
