package dev.anneal.gateway.schedule;

import dev.anneal.gateway.job.JobRecord;

/**
 * Decides where and when a job runs: {@code local} (in the gateway's JVM) or, later, {@code kubernetes}
 * (one batch Job per attempt), chosen by {@code anneal.scheduler}. The run reports everything through the
 * job's event log; the scheduler only starts, stops and counts.
 */
public interface Scheduler extends AutoCloseable {

    /**
     * Queues a freshly created job.
     *
     * @throws QueueFullException when no more jobs can wait
     */
    void submit(JobRecord job);

    /** A queued job ends CANCELLED at once; a running one is asked to stop at its next step boundary. */
    void cancel(JobRecord job);

    /** Jobs waiting to start. */
    int queued();

    /** Jobs running now. */
    int running();

    /** Stops taking jobs, asks running ones to stop, and waits a while for them to end. */
    @Override
    void close();
}
