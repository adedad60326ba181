package dev.anneal.gateway.workerlink;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The internal gRPC server workers dial ({@code anneal.worker-service.port}, default 9091). A plain
 * grpc-java server beside Quarkus's public one: the worker protocol stays off the public port (its own
 * Service and NetworkPolicy in the chart), it exists only with the kubernetes scheduler, and the
 * scheduler owns its lifetime, so it stops before the job store closes.
 */
public final class WorkerServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerServer.class);

    private final Server server;

    private WorkerServer(Server server) {
        this.server = server;
    }

    public static WorkerServer start(int port, WorkerLinkService service) {
        try {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress(port))
                    .addService(service)
                    .permitKeepAliveTime(10, TimeUnit.SECONDS)
                    .build()
                    .start();
            LOG.infof("worker service listening on port %d", server.getPort());
            return new WorkerServer(server);
        } catch (IOException e) {
            throw new UncheckedIOException("anneal.worker-service.port: cannot listen on port " + port, e);
        }
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            if (!server.awaitTermination(10, TimeUnit.SECONDS)) {
                LOG.warn("worker service did not stop within 10 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
