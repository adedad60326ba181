package dev.anneal.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Progress;
import org.junit.jupiter.api.Test;

class ProgressLineTest {

    private static final Progress HALFWAY = Progress.newBuilder().setGlobalStep(150).setMaxSteps(300).setEpoch(1.5)
            .setLoss(0.69314).setLearningRate(2.5e-5).setGradNorm(1.25).setSamplesPerSecond(31.24).setEtaSeconds(754)
            .build();

    @Test
    void theBarShowsStepEpochLossRateThroughputAndEta() {
        assertEquals("[############------------] 150/300 epoch 1.50 loss 0.6931 lr 2.50e-05 31.2 samples/s ETA 12:34",
                ProgressLine.bar(HALFWAY, 200));
    }

    @Test
    void fieldsAreDroppedFromTheEndToFitTheTerminal() {
        String line = ProgressLine.bar(HALFWAY, 60);
        assertEquals("[############------------] 150/300 epoch 1.50 loss 0.6931", line);
        assertTrue(line.length() < 60);
        assertEquals("[############------------]", ProgressLine.bar(HALFWAY, 10));
    }

    @Test
    void theBarFillsInProportionAndNeverOverflows() {
        assertEquals("[------------------------]", ProgressLine.bar(0, 300));
        assertEquals("[#-----------------------]", ProgressLine.bar(13, 300));
        assertEquals("[########################]", ProgressLine.bar(300, 300));
        assertEquals("[########################]", ProgressLine.bar(301, 300));
        assertEquals("[------------------------]", ProgressLine.bar(5, 0));
    }

    @Test
    void thePlainLineCarriesEveryField() {
        assertEquals("step 150/300 epoch 1.50 loss 0.6931 lr 2.50e-05 grad_norm 1.2500 31.2 samples/s eta 12:34",
                ProgressLine.plain(HALFWAY));
        assertEquals("step 7 epoch 0.00 loss 0.0000 lr 0.00e+00 grad_norm 0.0000 0.0 samples/s eta 0:00",
                ProgressLine.plain(Progress.newBuilder().setGlobalStep(7).build()));
    }

    @Test
    void durationsReadAsClocks() {
        assertEquals("0:07", Durations.clock(7.4));
        assertEquals("1:02:03", Durations.clock(3723));
        assertEquals("?", Durations.clock(Double.NaN));
        assertEquals("0.42s", Durations.elapsed(0.42));
        assertEquals("2:05", Durations.elapsed(125));
    }
}
