package dev.anneal.gateway.service;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.ListJobsResponse;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.api.v1.WatchRequest;
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

    @Inject
    public TrainGrpcService(JobService jobs, OpenStreams streams) {
        this.jobs = jobs;
        this.streams = streams;
    }

    @Override
    @Blocking
    public void train(TrainRequest request, StreamObserver<TrainEvent> responseObserver) {
        JobRecord job;
        try {
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
        unary(responseObserver, () -> ListJobsResponse.newBuilder()
                .addAllJobs(jobs.list(request.getPageSize(), request.getLabelSelectorMap())).build());
    }

    @Override
    @Blocking
    public void cancelJob(CancelJobRequest request, StreamObserver<Job> responseObserver) {
        unary(responseObserver, () -> jobs.cancel(request.getJobId()));
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
