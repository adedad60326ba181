package dev.anneal.gateway.metrics;

import com.google.protobuf.util.Timestamps;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.job.JobObserver;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.schedule.Scheduler;
import dev.anneal.gateway.service.OpenStreams;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;

/** The gateway's {@code anneal.*} meters, fed by every job event appended after start-up. */
@ApplicationScoped
public class GatewayMetrics implements JobObserver {
    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter eventsAppended;

    @Inject
    public GatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.submitted = Counter.builder("anneal.jobs.submitted").description("Jobs accepted").register(registry);
        this.eventsAppended = Counter.builder("anneal.events.appended")
                .description("Events appended to job event logs").register(registry);
    }

    @Override
    public void appended(JobRecord job, TrainEvent event) {
        eventsAppended.increment();
        if (event.hasAccepted()) {
            submitted.increment();
        } else if (event.hasFinished()) {
            String state = event.getFinished().getState().name();
            Counter.builder("anneal.jobs.finished").description("Jobs that ended, by final state")
                    .tag("state", state).register(registry).increment();
            Job snapshot = job.snapshot();
            long millis = Timestamps.toMillis(event.getTime()) - Timestamps.toMillis(snapshot.getCreated());
            Timer.builder("anneal.job.duration").description("From acceptance to end, by final state")
                    .tag("state", state).register(registry).record(Duration.ofMillis(Math.max(0, millis)));
        }
    }

    /** Gauges read from the scheduler: jobs running and jobs waiting in its queue. */
    public void watch(Scheduler scheduler) {
        Gauge.builder("anneal.jobs.running", scheduler, Scheduler::running)
                .description("Jobs running now").register(registry);
        Gauge.builder("anneal.jobs.queued", scheduler, Scheduler::queued)
                .description("Jobs waiting in the scheduler's queue").register(registry);
    }

    /** A gauge of open event streams (Train and Watch calls). */
    public void watchStreams(OpenStreams openStreams) {
        Gauge.builder("anneal.streams.open", openStreams, OpenStreams::count)
                .description("Train and Watch calls streaming events now").register(registry);
    }

    /** Counts events handed to gRPC on any stream. */
    public Counter eventsSent() {
        return Counter.builder("anneal.events.sent").description("Events written to Train and Watch streams")
                .register(registry);
    }
}
