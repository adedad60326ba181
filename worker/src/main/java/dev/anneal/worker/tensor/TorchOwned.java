package dev.anneal.worker.tensor;

import ai.djl.ndarray.NDArray;

/**
 * DJL creates an array from Java data without copying ({@code torch::from_blob} over a direct buffer
 * that only the Java wrapper keeps alive). Parameters live for the whole run and views of them
 * (transposes, reshapes, autograd's saved tensors) may outlive any one wrapper, so they are copied into
 * memory that libtorch owns and whose lifetime libtorch's reference counts decide.
 */
public final class TorchOwned {
    private TorchOwned() {
    }

    /** A libtorch-owned copy of {@code array}; {@code array} is closed. */
    public static NDArray copyOf(NDArray array) {
        NDArray owned = array.duplicate();
        array.close();
        return owned;
    }
}
