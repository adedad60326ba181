package dev.anneal.cli.embedded;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;

/**
 * Stands in for the Quarkus gateway in the embedded-mode tests: a real gRPC server on
 * {@code -Dquarkus.grpc.server.port} with the health service and the CLI tests' scripted TrainService, which
 * reports SERVING after {@code -Dfake.delay.ms} and runs until SIGTERM. {@code -Dfake.exit=N} exits at once.
 */
public final class FakeGatewayMain {

    private FakeGatewayMain() {}

    public static void main(String[] args) throws Exception {
        if (System.getProperty("fake.exit") != null) {
            System.out.println("fake gateway: configuration broken, exiting");
            System.exit(Integer.parseInt(System.getProperty("fake.exit")));
        }
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.NOT_SERVING);
        Server server = NettyServerBuilder.forPort(Integer.getInteger("quarkus.grpc.server.port"))
                .addService(health.getHealthService())
                .addService(dev.anneal.cli.ScriptedTrainServiceAccess.create())
                .build().start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("fake gateway: stopping");
            server.shutdownNow();
        }));
        System.out.println("fake gateway: listening on " + server.getPort());
        Thread.sleep(Long.getLong("fake.delay.ms", 0L));
        health.setStatus("", ServingStatus.SERVING);
        server.awaitTermination();
    }
}
