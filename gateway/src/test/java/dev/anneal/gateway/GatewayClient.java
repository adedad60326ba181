package dev.anneal.gateway;

import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.config.ConfigProvider;

/** A real grpc-java channel to the gateway a {@code @QuarkusTest} started on a random port. */
public final class GatewayClient implements AutoCloseable {
    public final ManagedChannel channel;
    public final TrainServiceGrpc.TrainServiceBlockingStub blocking;
    public final TrainServiceGrpc.TrainServiceStub async;

    private GatewayClient(ManagedChannel channel) {
        this.channel = channel;
        this.blocking = TrainServiceGrpc.newBlockingStub(channel);
        this.async = TrainServiceGrpc.newStub(channel);
    }

    /** The port the gRPC server bound; Quarkus writes it back into the test-port property. */
    public static int port() {
        int port = ConfigProvider.getConfig().getValue("quarkus.grpc.server.test-port", Integer.class);
        if (port <= 0) {
            throw new IllegalStateException("the gRPC server's port is not known yet: " + port);
        }
        return port;
    }

    public static GatewayClient connect() {
        return new GatewayClient(NettyChannelBuilder.forAddress("localhost", port()).usePlaintext().build());
    }

    /** A channel whose HTTP/2 receive window stays small, so a slow reader pushes back quickly. */
    public static GatewayClient connectWithWindow(int windowBytes) {
        return new GatewayClient(NettyChannelBuilder.forAddress("localhost", port()).usePlaintext()
                .initialFlowControlWindow(windowBytes).build());
    }

    public Job job(String jobId) {
        return blocking.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
    }

    /** Polls GetJob until the job has ended. */
    public Job awaitEnd(String jobId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Job job = job(jobId);
        while (!ended(job.getState()) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            job = job(jobId);
        }
        return job;
    }

    public static boolean ended(JobState state) {
        return state == JobState.SUCCEEDED || state == JobState.FAILED || state == JobState.CANCELLED;
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
}
