package dev.anneal.worker.hf;

import java.io.IOException;

/** A {@code pytorch_model.bin} that is not a readable torch zip checkpoint: truncated, malformed or unsupported. */
public class TorchPickleException extends IOException {
    public TorchPickleException(String message) {
        super(message);
    }

    public TorchPickleException(String message, Throwable cause) {
        super(message, cause);
    }
}
