package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.anneal.worker.tensor.TorchOwned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * AdamW against torch.optim.AdamW's update evaluated in doubles, step by step: decoupled weight decay per
 * parameter group, bias correction, parameters without a gradient left alone, and state that restores.
 */
public class AdamWTest {
    private static final double LR = 1e-2;
    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.98;
    private static final double EPS = 1e-6;

    @Test
    void matchesTorchsUpdateForEachGroup() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] w0 = {0.5f, -1.25f, 2f};
            float[] b0 = {0.1f, -0.3f};
            NDArray weight = manager.create(w0.clone());
            NDArray bias = manager.create(b0.clone());
            NDArray unused = manager.create(new float[] {3f, 4f});
            AdamW adam = new AdamW(BETA1, BETA2, EPS);
            adam.add("w", weight, 0.1, manager);
            adam.add("b", bias, 0.0, manager);
            adam.add("unused", unused, 0.1, manager);
            Reference w = new Reference(w0, 0.1);
            Reference b = new Reference(b0, 0.0);
            float[][] weightGrads = {{0.3f, -0.2f, 1f}, {-0.1f, 0.4f, 0.25f}, {0.05f, 0.05f, -2f}};
            float[][] biasGrads = {{1f, -1f}, {0.5f, 0.2f}, {-0.7f, 0.1f}};
            for (int step = 0; step < 3; step++) {
                setGradient(weight, weightGrads[step]);
                setGradient(bias, biasGrads[step]);
                Autograd.paused(() -> adam.step(LR));
                w.step(weightGrads[step], step + 1);
                b.step(biasGrads[step], step + 1);
                assertClose(w.param, weight.toFloatArray());
                assertClose(b.param, bias.toFloatArray());
            }
            assertArrayEquals(new float[] {3f, 4f}, unused.toFloatArray(), "no gradient, no update (not even decay)");
            assertEquals(3, adam.steps());
        }
    }

    @Test
    void restoredStateContinuesExactly() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray first = manager.create(new float[] {0.5f, -1f});
            NDArray second = manager.create(new float[] {0.5f, -1f});
            AdamW a = new AdamW(BETA1, BETA2, EPS);
            a.add("p", first, 0.01, manager);
            AdamW b = new AdamW(BETA1, BETA2, EPS);
            b.add("p", second, 0.01, manager);
            setGradient(first, new float[] {0.2f, 0.7f});
            Autograd.paused(() -> a.step(LR));
            Map<String, NDArray> state = a.state();
            TorchOwned.copyInto(second, first);
            b.restore(state, a.steps());
            for (NDArray p : new NDArray[] {first, second}) {
                setGradient(p, new float[] {-0.4f, 0.1f});
            }
            Autograd.paused(() -> a.step(LR));
            Autograd.paused(() -> b.step(LR));
            assertArrayEquals(first.toFloatArray(), second.toFloatArray());
        }
    }

    @Test
    void jobsOnSeveralThreadsShareTheKernelsSafely() throws Exception {
        float[] alone = trainAlone(0);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<float[]>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(threads.submit(() -> trainAlone(0)));
            }
            for (Future<float[]> run : runs) {
                assertArrayEquals(alone, run.get());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Fifty AdamW steps with clipping on a parameter of its own; returns the final values. */
    private static float[] trainAlone(int seed) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Random random = new Random(seed);
            float[] initial = new float[4096];
            for (int i = 0; i < initial.length; i++) {
                initial[i] = (float) random.nextGaussian();
            }
            NDArray p = manager.create(initial);
            AdamW adam = new AdamW(BETA1, BETA2, EPS);
            adam.add("p", p, 0.01, manager);
            for (int step = 0; step < 50; step++) {
                float[] grad = new float[initial.length];
                for (int i = 0; i < grad.length; i++) {
                    grad[i] = (float) random.nextGaussian();
                }
                setGradient(p, grad);
                Autograd.paused(() -> GradientClipping.clip(List.of(p), 1.0));
                Autograd.paused(() -> adam.step(LR));
            }
            return p.toFloatArray();
        }
    }

    /** Gives {@code parameter} exactly {@code values} as its gradient (through a backward of sum(p * g)). */
    static void setGradient(NDArray parameter, float[] values) {
        parameter.setRequiresGradient(true);
        Autograd.zeroGradients(List.of(parameter));
        try (NDManager scope = parameter.getManager().newSubManager()) {
            NDArray g = scope.create(values);
            Autograd.recording(() -> {
                Autograd.backward(parameter.mul(g).sum());
                return null;
            });
        }
    }

    private static void assertClose(double[] expected, float[] actual) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-6 * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    /** torch.optim.AdamW's single-tensor step in doubles. */
    private static final class Reference {
        final double[] param;
        final double[] mean;
        final double[] variance;
        final double decay;

        Reference(float[] initial, double decay) {
            param = new double[initial.length];
            for (int i = 0; i < initial.length; i++) {
                param[i] = initial[i];
            }
            mean = new double[initial.length];
            variance = new double[initial.length];
            this.decay = decay;
        }

        void step(float[] grad, int t) {
            double correction1 = 1 - Math.pow(BETA1, t);
            double correction2 = 1 - Math.pow(BETA2, t);
            for (int i = 0; i < param.length; i++) {
                param[i] *= 1 - LR * decay;
                mean[i] = BETA1 * mean[i] + (1 - BETA1) * grad[i];
                variance[i] = BETA2 * variance[i] + (1 - BETA2) * grad[i] * grad[i];
                double denominator = Math.sqrt(variance[i]) / Math.sqrt(correction2) + EPS;
                param[i] -= LR / correction1 * mean[i] / denominator;
            }
        }
    }
}
