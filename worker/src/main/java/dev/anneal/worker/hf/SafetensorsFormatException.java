package dev.anneal.worker.hf;

import java.io.IOException;

/** A safetensors file (or shard index) that is truncated, inconsistent or hostile. */
public class SafetensorsFormatException extends IOException {
    public SafetensorsFormatException(String message) {
        super(message);
    }

    public SafetensorsFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
