package dev.anneal.gateway.schedule;

/** The scheduler's queue has no room for another job. */
public final class QueueFullException extends RuntimeException {
    public QueueFullException(String message) {
        super(message);
    }
}
