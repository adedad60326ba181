package dev.anneal.worker.hf;

/**
 * A pickle that references a Python global outside the tensor-rebuilding allowlist (for example
 * {@code os.system} or {@code builtins.eval}); the file is refused before anything is built from it.
 */
public final class UnsafePickleException extends TorchPickleException {
    private final String global;

    public UnsafePickleException(String source, String global, long offset) {
        super(source + ": refusing to load: the pickle references the Python global '" + global + "' at byte " + offset
                + "; only tensor rebuilding (" + RestrictedUnpickler.ALLOWED_GLOBALS_TEXT + ") is allowed in a checkpoint."
                + " The file may be malicious; if you trust it, convert it to model.safetensors with transformers");
        this.global = global;
    }

    /** The refused global as "module.name". */
    public String global() {
        return global;
    }
}
