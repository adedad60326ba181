package dev.anneal.gateway.dataset;

import dev.anneal.gateway.config.GatewayConfig;
import dev.anneal.gateway.job.JobStore;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;

/** Builds the data set service from {@link GatewayConfig}; opens its store (removing leftovers) at start-up. */
@ApplicationScoped
public class DatasetBeans {

    @Produces
    @Singleton
    DatasetService datasetService(GatewayConfig config, JobStore jobs) {
        return DatasetService.beside(jobs, config.datasets().maxSize().asLongValue(), config.datasets().idleTimeout(),
                Clock.systemUTC());
    }

    void close(@Disposes DatasetService datasets) {
        datasets.close();
    }

    void onStart(@Observes StartupEvent event, DatasetService datasets) {
        // Injecting the service creates it: interrupted uploads are cleaned up now, not on the first call.
    }
}
