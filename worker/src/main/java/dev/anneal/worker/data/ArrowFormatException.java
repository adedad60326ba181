package dev.anneal.worker.data;

/** An Arrow file that cannot be read: truncated, malformed, or using a feature the reader does not support. */
public class ArrowFormatException extends RuntimeException {
    public ArrowFormatException(String message) {
        super(message);
    }
}
