package dev.anneal.worker.model;

/** A checkpoint that does not fit the model: missing parameters (not allowed to initialise) or wrong shapes. */
public class CheckpointMismatchException extends RuntimeException {
    public CheckpointMismatchException(String message) {
        super(message);
    }
}
