package dev.anneal.gateway.kubernetes;

import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.gateway.dataset.DatasetService;
import dev.anneal.gateway.job.JobObserver;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.metrics.GatewayMetrics;
import dev.anneal.gateway.service.JobService;
import dev.anneal.gateway.service.OpenStreams;
import dev.anneal.gateway.service.TrainGrpcService;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gateway as the kubernetes scheduler runs it, assembled from its real parts (file-journalled job
 * store, {@link KubernetesScheduler} with its worker service, the public {@link TrainGrpcService} on a
 * real port) so a test can stop it and start it again on the same data directory, as a pod restart would.
 */
final class ClusterGateway implements AutoCloseable {
    final JobStore store;
    final KubernetesScheduler scheduler;
    final DatasetService datasets;
    private final Server trainServer;
    final ManagedChannel channel;
    final TrainServiceGrpc.TrainServiceBlockingStub train;

    ClusterGateway(KubernetesClient client, KubernetesSettings settings, Path dataDir, int workerPort) throws IOException {
        store = JobStore.open(dataDir.resolve("jobs"), false, JobObserver.NONE, Clock.systemUTC(), true);
        scheduler = new KubernetesScheduler(client, settings, store, workerPort, Duration.ofMillis(250),
                Clock.systemUTC()).start();
        GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
        datasets = DatasetService.beside(store, 1 << 20, Clock.systemUTC());
        trainServer = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .addService(new TrainGrpcService(new JobService(store, scheduler), new OpenStreams(metrics, 1 << 16),
                        datasets))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", trainServer.getPort()).usePlaintext().build();
        train = TrainServiceGrpc.newBlockingStub(channel);
    }

    @Override
    public void close() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        trainServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scheduler.close();
        store.close();
    }
}
