package dev.anneal.gateway.job;

import dev.anneal.api.v1.TrainEvent;

/** Hears every event appended to any job after the store opened (metrics, logging). */
@FunctionalInterface
public interface JobObserver {
    JobObserver NONE = (job, event) -> {
    };

    void appended(JobRecord job, TrainEvent event);
}
