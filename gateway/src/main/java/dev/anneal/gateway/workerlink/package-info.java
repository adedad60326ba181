/**
 * The gateway's end of the internal worker protocol ({@code anneal.v1.WorkerService}, anneal/v1/worker.proto),
 * served by its own grpc-java server ({@link dev.anneal.gateway.workerlink.WorkerServer}) on
 * {@code anneal.worker-service.port}; what a hello, an event and a disconnect mean is decided by the
 * scheduler behind {@link dev.anneal.gateway.workerlink.WorkerAttempts}.
 */
package dev.anneal.gateway.workerlink;
