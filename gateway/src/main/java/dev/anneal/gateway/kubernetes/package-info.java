/**
 * The {@code kubernetes} scheduler: each attempt of a job is one {@code batch/v1} Job
 * ({@link dev.anneal.gateway.kubernetes.WorkerJobFactory}, pure) whose single pod runs
 * {@code dev.anneal.worker.main.WorkerMain}; the worker dials back over the internal worker protocol
 * ({@code anneal/v1/worker.proto}, {@link dev.anneal.gateway.workerlink}).
 *
 * <p>Durability: the job's event log is the only state. SCHEDULED started = the attempt's Job exists,
 * SCHEDULED finished = its worker connected (from then on the worker numbers the job's events and the
 * gateway appends none of its own until the attempt is over), {@code retrying} = the next attempt. A
 * restarted gateway re-derives every unfinished job's attempt from its log
 * ({@link dev.anneal.gateway.kubernetes.AttemptState#fromLog}) and the cluster's objects, and tokens
 * from the attempts' Secrets. A job whose log has {@code finished} is never looked at again.
 */
package dev.anneal.gateway.kubernetes;
