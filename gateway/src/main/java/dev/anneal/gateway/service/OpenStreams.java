package dev.anneal.gateway.service;

import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.config.GatewayConfig;
import dev.anneal.gateway.job.EventLog;
import dev.anneal.gateway.metrics.GatewayMetrics;
import io.grpc.stub.ServerCallStreamObserver;
import io.micrometer.core.instrument.Counter;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The event streams (Train and Watch calls) open now, with how far each has got. */
@Startup
@ApplicationScoped
public class OpenStreams {
    private final Set<EventStream> streams = ConcurrentHashMap.newKeySet();
    private final Counter eventsSent;
    private final int bufferBytes;

    @Inject
    public OpenStreams(GatewayMetrics metrics, GatewayConfig config) {
        this(metrics, config.stream().bufferBytes());
    }

    /** @param bufferBytes what gRPC may hold for one stream's client before the stream waits (on-ready threshold) */
    public OpenStreams(GatewayMetrics metrics, int bufferBytes) {
        if (bufferBytes < 1) {
            throw new IllegalArgumentException("anneal.stream.buffer-bytes: must be >= 1, was " + bufferBytes);
        }
        this.bufferBytes = bufferBytes;
        this.eventsSent = metrics.eventsSent();
        metrics.watchStreams(this);
    }

    /** Starts streaming {@code log} after {@code afterSequence} to {@code call}. */
    void open(EventLog log, long afterSequence, ServerCallStreamObserver<TrainEvent> call) {
        call.setOnReadyThreshold(bufferBytes);
        EventStream stream = new EventStream(log, afterSequence, call, eventsSent, streams::remove);
        streams.add(stream);
        stream.start();
    }

    /** Progress of each open stream of a job. */
    public List<StreamProgress> of(String jobId) {
        return streams.stream().filter(s -> s.jobId().equals(jobId))
                .map(s -> new StreamProgress(s.jobId(), s.sent(), s.cursor(), s.behind())).toList();
    }

    public int count() {
        return streams.size();
    }

    /**
     * @param sent   events handed to gRPC so far
     * @param cursor the sequence of the last event handed to gRPC
     * @param behind events in the job's log not sent yet
     */
    public record StreamProgress(String jobId, long sent, long cursor, long behind) {
    }
}
