package dev.anneal.worker.model.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.train.Autograd;
import org.junit.jupiter.api.Test;

/** Inverted dropout: keep rate 1 - p, kept values scaled by 1 / (1 - p), a function of the seed, differentiable. */
public class DropoutTest {
    private static final double P = 0.1;

    @Test
    void keepsOneMinusPAndScalesWhatItKeeps() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            NDArray x = manager.randomUniform(1, 2, new Shape(1 << 20));
            float[] in = x.toFloatArray();
            float[] out = Dropout.apply(x, P, true).toFloatArray();
            float scale = (float) (1 / (float) (1 - P));
            int kept = 0;
            for (int i = 0; i < in.length; i++) {
                if (out[i] != 0) {
                    kept++;
                    assertEquals(in[i] * scale, out[i], Math.ulp(out[i]), "element " + i);
                }
            }
            // 2^20 draws: the keep rate's standard deviation is 0.0003, so 0.002 is more than six of them.
            assertEquals(1 - P, kept / (double) in.length, 0.002);
        }
    }

    @Test
    void theSameSeedDrawsTheSameMaskAndAnotherDrawsAnother() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.ones(new Shape(4096));
            Engine.getInstance().setRandomSeed(11);
            float[] first = Dropout.apply(x, P, true).toFloatArray();
            Engine.getInstance().setRandomSeed(11);
            float[] again = Dropout.apply(x, P, true).toFloatArray();
            Engine.getInstance().setRandomSeed(12);
            float[] other = Dropout.apply(x, P, true).toFloatArray();
            assertArrayEquals(first, again);
            assertTrue(!java.util.Arrays.equals(first, other));
        }
    }

    @Test
    void gradientIsTheScaledMask() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(3);
            NDArray x = manager.randomNormal(new Shape(2, 500));
            x.setRequiresGradient(true);
            NDArray[] y = new NDArray[1];
            Autograd.recording(() -> {
                y[0] = Dropout.apply(x, 0.5, true);
                Autograd.backward(y[0].sum());
                return null;
            });
            float[] in = x.toFloatArray();
            float[] out = y[0].toFloatArray();
            float[] grad = x.getGradient().toFloatArray();
            for (int i = 0; i < in.length; i++) {
                assertEquals(out[i] == 0 ? 0f : 2f, grad[i], "element " + i);
            }
        }
    }

    @Test
    void evaluationAndZeroRateAreIdentityAndRateOneZeroes() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.randomNormal(new Shape(64));
            assertSame(x, Dropout.apply(x, P, false));
            assertSame(x, Dropout.apply(x, 0, true));
            assertArrayEquals(new float[64], Dropout.apply(x, 1, true).toFloatArray(), 0f, "zeros (negative ones as -0, as torch)");
            NDArray half = x.toType(DataType.FLOAT16, false);
            assertEquals(DataType.FLOAT16, Dropout.apply(half, P, true).getDataType());
        }
    }
}
