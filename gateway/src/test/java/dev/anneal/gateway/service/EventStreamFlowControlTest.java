package dev.anneal.gateway.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.metrics.GatewayMetrics;
import dev.anneal.gateway.schedule.JobExecution;
import dev.anneal.gateway.schedule.LocalScheduler;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TrainService's streams over a real grpc-java Netty server and channel, fed by a run that emits
 * events as fast as it can. A client that reads slowly must hold back the stream: the events the gateway
 * has handed to gRPC but the client has not read stay bounded while the job runs far ahead and ends.
 */
class EventStreamFlowControlTest {
    private static final int PROGRESS_EVENTS = 20_000;

    @TempDir
    Path root;

    private JobStore store;
    private LocalScheduler scheduler;
    private OpenStreams streams;
    private Server server;
    private ManagedChannel channel;

    /** Emits progress events without pause, then SUCCEEDED. */
    private final JobExecution flood = (request, environment, events, cancellation) -> {
        for (int step = 1; step <= PROGRESS_EVENTS && !cancellation.isRequested(); step++) {
            events.emit(TrainEvent.newBuilder().setProgress(Progress.newBuilder().setGlobalStep(step)
                    .setMaxSteps(PROGRESS_EVENTS).setLoss(1.0 / step)).build());
        }
        events.emit(TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.SUCCEEDED)).build());
        return JobState.SUCCEEDED;
    };

    @BeforeEach
    void start() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics(new SimpleMeterRegistry());
        store = JobStore.open(root, false, metrics, Clock.systemUTC());
        scheduler = new LocalScheduler(1, 4, flood, root, null);
        streams = new OpenStreams(metrics, 2048);
        server = NettyServerBuilder.forPort(0)
                .addService(new TrainGrpcService(new JobService(store, scheduler), streams)).build().start();
        channel = NettyChannelBuilder.forAddress("localhost", server.getPort()).usePlaintext()
                .initialFlowControlWindow(1024).build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        scheduler.close();
        store.close();
    }

    @Test
    void slowReaderBoundsWhatTheGatewayHasInFlightAndTheJobStillFinishes() throws Exception {
        SlowReader reader = new SlowReader();
        TrainServiceGrpc.newStub(channel).train(TrainRequests.txtaiBasic().build(), reader);

        // Read one event every 20 ms while the job floods its log.
        long maxInFlight = 0;
        long maxBehind = 0;
        JobRecord job = null;
        for (int i = 0; i < 100; i++) {
            reader.call.request(1);
            Thread.sleep(20);
            if (job == null && !reader.received.isEmpty()) {
                job = store.find(reader.received.get(0).getJobId()).orElseThrow();
            }
            if (job != null) {
                for (OpenStreams.StreamProgress stream : streams.of(job.id())) {
                    maxInFlight = Math.max(maxInFlight, stream.sent() - reader.received.size());
                    maxBehind = Math.max(maxBehind, stream.behind());
                }
            }
        }
        assertTrue(job != null, "no event arrived");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!job.ended() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(JobState.SUCCEEDED, job.state(), "the job finishes although its client is slow");
        long read = reader.received.size();
        OpenStreams.StreamProgress stream = streams.of(job.id()).get(0);
        maxInFlight = Math.max(maxInFlight, stream.sent() - read);
        System.err.printf("flow control: read %d of %d events; at most %d in flight, at most %d waiting in the log%n",
                read, job.events().lastSequence(), maxInFlight, Math.max(maxBehind, stream.behind()));
        assertTrue(read <= 101, "read " + read);
        assertTrue(stream.behind() > PROGRESS_EVENTS / 2,
                "the log ran far ahead of the stream: " + stream.behind() + " events behind");
        assertTrue(maxInFlight < 2_000, "events handed to gRPC but not read: " + maxInFlight);

        // Now read everything: nothing was lost or reordered while the stream was held back.
        reader.call.request(Integer.MAX_VALUE);
        assertTrue(reader.done.await(30, TimeUnit.SECONDS));
        List<TrainEvent> all = reader.received;
        assertEquals(job.events().lastSequence(), all.size());
        for (int i = 0; i < all.size(); i++) {
            assertEquals(i + 1, all.get(i).getSequence());
        }
        assertTrue(all.get(all.size() - 1).hasFinished());
        assertTrue(streams.of(job.id()).isEmpty(), "the finished stream is closed");
    }

    @Test
    void aClientThatGoesAwayClosesItsStreamButNotTheJob() throws Exception {
        SlowReader reader = new SlowReader();
        TrainServiceGrpc.newStub(channel).train(TrainRequests.txtaiBasic().build(), reader);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reader.received.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        JobRecord job = store.find(reader.received.get(0).getJobId()).orElseThrow();
        reader.call.cancel("client leaves", null);
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((!job.ended() || !streams.of(job.id()).isEmpty()) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(streams.of(job.id()).isEmpty(), "the stream closed when the client cancelled");
        assertEquals(JobState.SUCCEEDED, job.state(), "closing the Train stream does not cancel the job");
    }

    /** Requests events only when the test says so. */
    private static final class SlowReader implements ClientResponseObserver<TrainRequest, TrainEvent> {
        final List<TrainEvent> received = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch done = new CountDownLatch(1);
        volatile ClientCallStreamObserver<TrainRequest> call;

        @Override
        public void beforeStart(ClientCallStreamObserver<TrainRequest> requestStream) {
            call = requestStream;
            requestStream.disableAutoInboundFlowControl();
        }

        @Override
        public void onNext(TrainEvent value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.countDown();
        }

        @Override
        public void onCompleted() {
            done.countDown();
        }
    }
}
