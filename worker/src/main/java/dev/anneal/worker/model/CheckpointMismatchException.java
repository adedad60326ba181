package dev.anneal.worker.model;

import java.io.IOException;

/**
 * A checkpoint that does not fit the model: parameters without weights (when initialising them is not
 * allowed), shapes that differ from the config's, or two stored names for one parameter.
 */
public class CheckpointMismatchException extends IOException {
    public CheckpointMismatchException(String message) {
        super(message);
    }
}
