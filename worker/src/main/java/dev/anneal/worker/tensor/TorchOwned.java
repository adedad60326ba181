package dev.anneal.worker.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.pytorch.jni.JniUtils;

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

    /**
     * Copies {@code source}'s values (converted to {@code target}'s type) into {@code target}'s own memory, in
     * place and unrecorded by autograd. DJL's {@code set(Buffer)} would instead make target's storage a Java
     * buffer that only target's wrapper keeps alive.
     */
    public static void copyInto(NDArray target, NDArray source) {
        if (!target.getShape().equals(source.getShape())) {
            throw new IllegalArgumentException("cannot copy " + source.getShape() + " into " + target.getShape());
        }
        boolean recording = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDArray converted = source.toType(target.getDataType(), true)) {
            target.set(new NDIndex("..."), converted);
        } finally {
            JniUtils.setGradMode(recording);
        }
    }
}
