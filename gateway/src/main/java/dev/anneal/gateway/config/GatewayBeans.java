package dev.anneal.gateway.config;

import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.kubernetes.KubernetesSchedulers;
import dev.anneal.gateway.metrics.GatewayMetrics;
import dev.anneal.gateway.schedule.JobExecution;
import dev.anneal.gateway.schedule.LocalScheduler;
import dev.anneal.gateway.schedule.Scheduler;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import org.jboss.logging.Logger;

/** Builds the job store and the scheduler from {@link GatewayConfig}, opens them at start-up, closes them in order. */
@ApplicationScoped
public class GatewayBeans {
    private static final Logger LOG = Logger.getLogger(GatewayBeans.class);

    @Produces
    @Singleton
    JobStore jobStore(GatewayConfig config, GatewayMetrics metrics) {
        Path jobsRoot = config.dataDir().toAbsolutePath().resolve("jobs");
        LOG.infof("job store: %s (fsync %s)", jobsRoot, config.eventLog().fsync());
        // The kubernetes scheduler re-adopts runs that go on in their pods while the gateway restarts.
        boolean keepUnfinished = config.scheduler().equals("kubernetes");
        return JobStore.open(jobsRoot, config.eventLog().fsync(), metrics, Clock.systemUTC(), keepUnfinished);
    }

    @Produces
    @Singleton
    Scheduler scheduler(GatewayConfig config, JobStore store, GatewayMetrics metrics) {
        Scheduler scheduler = switch (config.scheduler()) {
            case "local" -> {
                LOG.infof("local scheduler: %d concurrent jobs, %d queued at most", config.local().concurrency(),
                        config.local().queueSize());
                yield new LocalScheduler(config.local().concurrency(), config.local().queueSize(),
                        JobExecution.PIPELINE, store.jobsRoot(), config.modelCache().map(Path::toAbsolutePath)
                                .orElse(null));
            }
            case "kubernetes" -> KubernetesSchedulers.create(config, store);
            default -> throw new IllegalStateException("anneal.scheduler: unknown scheduler \"" + config.scheduler()
                    + "\"; expected \"local\" or \"kubernetes\"");
        };
        metrics.watch(scheduler);
        return scheduler;
    }

    /** Opens the store (replaying and repairing journals) and the scheduler when the gateway starts, not on first call. */
    void onStart(@Observes StartupEvent event, JobStore store, Scheduler scheduler) {
        LOG.infof("%d jobs known at start-up", store.all().size());
    }

    /** Stops the scheduler (cancelling running jobs) before the store's journals close. */
    void onStop(@Observes ShutdownEvent event, Scheduler scheduler, JobStore store) {
        scheduler.close();
        store.close();
    }

    void closeScheduler(@Disposes Scheduler scheduler) {
        scheduler.close();
    }

    void closeStore(@Disposes JobStore store) {
        store.close();
    }
}
