package dev.anneal.gateway.schedule;

import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.EventSink;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;

/** Runs one job's pipeline to its end; {@link #PIPELINE} is the worker's, tests may run something smaller. */
@FunctionalInterface
public interface JobExecution {
    JobExecution PIPELINE = JobRunner::run;

    /** Emits the run's events, ending with exactly one {@code finished}, and returns the final state. */
    JobState run(TrainRequest request, RunEnvironment environment, EventSink events, Cancellation cancellation);
}
