package dev.anneal.gateway.service;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.DeleteDatasetRequest;
import dev.anneal.api.v1.GetDatasetRequest;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.ListDatasetsRequest;
import dev.anneal.api.v1.ListDatasetsResponse;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.ListJobsResponse;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.WatchRequest;
import dev.anneal.gateway.dataset.DatasetService;
import dev.anneal.gateway.job.JobRecord;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import jakarta.inject.Inject;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The public {@code anneal.v1.TrainService}. Written against the grpc-java API rather than Mutiny so that
 * streams follow gRPC flow control (Mutiny stubs buffer without bound: quarkus#46475, #46618). Calls run
 * on worker threads ({@code @Blocking}) because accepting a job validates the request and writes to disk;
 * streaming itself never holds a thread.
 */
@GrpcService
public class TrainGrpcService extends TrainServiceGrpc.TrainServiceImplBase {
    private static final Logger LOG = Logger.getLogger(TrainGrpcService.class);

    private final JobService jobs;
    private final OpenStreams streams;
    /** Null when this service was built without a data set store: the data set RPCs are then UNIMPLEMENTED. */
    private final DatasetService datasets;

    @Inject
    public TrainGrpcService(JobService jobs, OpenStreams streams, DatasetService datasets) {
        this.jobs = jobs;
        this.streams = streams;
        this.datasets = datasets;
    }

    /** Without uploaded data sets: for tests of the job RPCs alone. */
    public TrainGrpcService(JobService jobs, OpenStreams streams) {
        this(jobs, streams, null);
    }

    @Override
    @Blocking
    public void train(TrainRequest request, StreamObserver<TrainEvent> responseObserver) {
        JobRecord job;
        try {
            if (datasets != null) {
                datasets.requireKnown(request);
            }
            job = jobs.submit(request);
        } catch (RuntimeException e) {
            fail(responseObserver, e);
            return;
        }
        // Closing this stream never cancels the job: only CancelJob does.
        streams.open(job.events(), 0, (ServerCallStreamObserver<TrainEvent>) responseObserver);
    }

    @Override
    @Blocking
    public void watch(WatchRequest request, StreamObserver<TrainEvent> responseObserver) {
        if (request.getAfterSequence() < 0) {
            fail(responseObserver, Status.INVALID_ARGUMENT.withDescription("after_sequence: must be >= 0, got "
                    + request.getAfterSequence()).asRuntimeException());
            return;
        }
        JobRecord job;
        try {
            job = jobs.find(request.getJobId());
        } catch (RuntimeException e) {
            fail(responseObserver, e);
            return;
        }
        streams.open(job.events(), request.getAfterSequence(), (ServerCallStreamObserver<TrainEvent>) responseObserver);
    }

    @Override
    @Blocking
    public void getJob(GetJobRequest request, StreamObserver<Job> responseObserver) {
        unary(responseObserver, () -> jobs.find(request.getJobId()).snapshot());
    }

    @Override
    @Blocking
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> responseObserver) {
        unary(responseObserver, () -> jobs.list(request.getPageSize(), request.getLabelSelectorMap(),
                request.getPageToken()));
    }

    @Override
    @Blocking
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> responseObserver) {
        unary(responseObserver, () -> jobs.cancel(request.getJobId()));
    }

    /**
     * Stores an uploaded data set. Blocking: messages are written to disk on a worker thread, and the receiver
     * asks for the next message only after the previous one was written (flow control).
     */
    @Override
    @Blocking
    public StreamObserver<UploadDatasetRequest> uploadDataset(StreamObserver<DatasetInfo> responseObserver) {
        if (datasets == null) {
            responseObserver.onError(Status.UNIMPLEMENTED.withDescription("this gateway stores no data sets")
                    .asRuntimeException());
            return new NoMoreMessages<>();
        }
        return datasets.receive(responseObserver);
    }

    @Override
    @Blocking
    public void getDataset(GetDatasetRequest request, StreamObserver<DatasetInfo> responseObserver) {
        unary(responseObserver, () -> datasets().get(request.getDatasetId()));
    }

    @Override
    @Blocking
    public void listDatasets(ListDatasetsRequest request, StreamObserver<ListDatasetsResponse> responseObserver) {
        unary(responseObserver, () -> datasets().list(request.getPageSize(), request.getLabelSelectorMap(),
                request.getPageToken()));
    }

    @Override
    @Blocking
    public void deleteDataset(DeleteDatasetRequest request, StreamObserver<DatasetInfo> responseObserver) {
        unary(responseObserver, () -> datasets().delete(request.getDatasetId()));
    }

    private DatasetService datasets() {
        if (datasets == null) {
            throw Status.UNIMPLEMENTED.withDescription("this gateway stores no data sets").asRuntimeException();
        }
        return datasets;
    }

    /** Ignores the messages of a call that was already refused. */
    private static final class NoMoreMessages<T> implements StreamObserver<T> {
        @Override
        public void onNext(T value) {
        }

        @Override
        public void onError(Throwable t) {
        }

        @Override
        public void onCompleted() {
        }
    }

    private static <T> void unary(StreamObserver<T> responseObserver, Supplier<T> answer) {
        T response;
        try {
            response = answer.get();
        } catch (RuntimeException e) {
            fail(responseObserver, e);
            return;
        }
        responseObserver.onNext(response);
        responseObserver.onCompleted();
    }

    private static void fail(StreamObserver<?> responseObserver, RuntimeException e) {
        if (e instanceof StatusRuntimeException status) {
            responseObserver.onError(status);
        } else {
            LOG.error("request failed unexpectedly", e);
            responseObserver.onError(Status.INTERNAL.withDescription(String.valueOf(e)).withCause(e)
                    .asRuntimeException());
        }
    }
}
