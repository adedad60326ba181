package dev.anneal.worker.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** Restored weights and optimizer state are copied into the target's own memory, not swapped for Java memory. */
public class TorchOwnedTest {
    @Test
    void copyIntoWritesTheTargetsOwnStorage() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray target = manager.zeros(new Shape(2, 3));
            target.setRequiresGradient(true);
            NDArray view = target.reshape(6);
            TorchOwned.copyInto(target, manager.arange(6f).reshape(2, 3).toType(DataType.FLOAT64, false));
            assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, view.toFloatArray(), "a view made before sees the values");
            assertTrue(target.hasGradient(), "still a trainable leaf");
            assertThrows(IllegalArgumentException.class, () -> TorchOwned.copyInto(target, manager.zeros(new Shape(3, 2))));
        }
    }
}
