package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.junit.jupiter.api.Test;

/** clip_grad_norm_: the global L2 norm over all gradients, scaling only when above the limit. */
public class GradientClippingTest {
    @Test
    void scalesEveryGradientByTheGlobalNorm() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {0f, 0f});
            NDArray b = manager.create(new float[] {0f});
            NDArray noGradient = manager.create(new float[] {1f});
            noGradient.setRequiresGradient(true);
            AdamWTest.setGradient(a, new float[] {3f, 0f});
            AdamWTest.setGradient(b, new float[] {4f});
            double total = Autograd.paused(() -> GradientClipping.clip(List.of(a, b, noGradient), 1.0));
            assertEquals(5.0, total, 1e-6);
            float scale = (float) (1.0 / (5.0 + 1e-6));
            assertArrayEquals(new float[] {3f * scale, 0f}, a.getGradient().toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {4f * scale}, b.getGradient().toFloatArray(), 1e-7f);
        }
    }

    @Test
    void leavesGradientsBelowTheLimitOrWithNoLimitAsTheyAre() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(new float[] {0f, 0f});
            AdamWTest.setGradient(a, new float[] {0.3f, 0.4f});
            assertEquals(0.5, Autograd.paused(() -> GradientClipping.clip(List.of(a), 1.0)), 1e-6);
            assertArrayEquals(new float[] {0.3f, 0.4f}, a.getGradient().toFloatArray());
            AdamWTest.setGradient(a, new float[] {30f, 40f});
            assertEquals(50.0, Autograd.paused(() -> GradientClipping.clip(List.of(a), 0.0)), 1e-4);
            assertArrayEquals(new float[] {30f, 40f}, a.getGradient().toFloatArray(), "max_grad_norm 0 turns clipping off");
            Autograd.paused(() -> Autograd.zeroGradients(List.of(a)));
            assertArrayEquals(new float[] {0f, 0f}, a.getGradient().toFloatArray());
        }
    }
}
