package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Each schedule against transformers' lr_lambda formulas at its boundary steps (warmup start and end,
 * midpoint, last step, past the end), base rate 1e-3, 10 warmup steps, 100 steps in all.
 */
class LearningRateScheduleTest {
    private static final double BASE = 1e-3;

    private static double rate(String type, long step) {
        return new LearningRateSchedule(type, BASE, 10, 100).rate(step);
    }

    @Test
    void warmupStartsAtZeroAndRisesLinearly() {
        for (String type : new String[] {"linear", "cosine", "cosine_with_restarts", "polynomial",
                "constant_with_warmup", "inverse_sqrt"}) {
            assertEquals(0.0, rate(type, 0), 0.0, type);
            assertEquals(BASE * 5 / 10, rate(type, 5), 1e-18, type);
        }
    }

    @Test
    void linearDecaysToZeroAtTheLastStep() {
        assertEquals(BASE, rate("linear", 10), 1e-18);
        assertEquals(BASE * 45 / 90, rate("linear", 55), 1e-18);
        assertEquals(BASE / 90, rate("linear", 99), 1e-18);
        assertEquals(0.0, rate("linear", 100), 0.0);
        assertEquals(0.0, rate("linear", 150), 0.0);
    }

    @Test
    void cosineIsHalfAtTheMidpointAndZeroAtTheEnd() {
        assertEquals(BASE, rate("cosine", 10), 1e-18);
        assertEquals(BASE * 0.5, rate("cosine", 55), 1e-15);
        assertEquals(BASE * 0.5 * (1 + Math.cos(Math.PI * 89 / 90)), rate("cosine", 99), 1e-18);
        assertEquals(0.0, rate("cosine", 100), 1e-18);
    }

    @Test
    void cosineWithOneRestartEqualsCosineAndStopsAtTheEnd() {
        assertEquals(rate("cosine", 55), rate("cosine_with_restarts", 55), 1e-18);
        assertEquals(0.0, rate("cosine_with_restarts", 100), 0.0);
        assertEquals(0.0, rate("cosine_with_restarts", 120), 0.0);
    }

    @Test
    void polynomialDecaysToLrEnd() {
        double end = LearningRateSchedule.POLYNOMIAL_LR_END;
        assertEquals(BASE, rate("polynomial", 10), 1e-18);
        assertEquals((BASE - end) * 0.5 + end, rate("polynomial", 55), 1e-18);
        assertEquals(end, rate("polynomial", 100), 1e-18);
        assertEquals(end, rate("polynomial", 101), 1e-18);
    }

    @Test
    void constantIgnoresWarmupAndConstantWithWarmupHoldsAfterIt() {
        assertEquals(BASE, rate("constant", 0), 0.0);
        assertEquals(BASE, rate("constant", 100), 0.0);
        assertEquals(BASE, rate("constant_with_warmup", 10), 0.0);
        assertEquals(BASE, rate("constant_with_warmup", 1000), 0.0);
    }

    @Test
    void inverseSqrtDecaysFromTheEndOfWarmup() {
        assertEquals(BASE, rate("inverse_sqrt", 10), 1e-18);
        assertEquals(BASE / Math.sqrt(4.0), rate("inverse_sqrt", 40), 1e-18);
        // Without warmup the timescale is 10 000 steps.
        assertEquals(BASE / Math.sqrt(2.0), new LearningRateSchedule("inverse_sqrt", BASE, 0, 100).rate(10_000), 1e-18);
    }
}
