package dev.anneal.worker.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Model;
import ai.djl.metric.Metrics;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.TrainEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressListenerTest {
    @Test
    void progressEveryIntervalAndOneWarningWhenTheLossStopsBeingFinite() {
        List<TrainEvent> events = new ArrayList<>();
        ProgressListener listener = new ProgressListener(events::add, 2, 6);
        try (Model model = Model.newInstance("probe")) {
            model.setBlock(Linear.builder().setUnits(1).build());
            try (Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.l2Loss()))) {
                Metrics metrics = new Metrics();
                trainer.setMetrics(metrics);
                double[] losses = {0.7, 0.5, Double.NaN, Double.NaN, Double.POSITIVE_INFINITY, Double.NaN};
                for (int step = 1; step <= losses.length; step++) {
                    metrics.addMetric(StepMetrics.GLOBAL_STEP, step);
                    metrics.addMetric(StepMetrics.LOSS, losses[step - 1]);
                    metrics.addMetric(StepMetrics.LEARNING_RATE, 1e-3);
                    metrics.addMetric(StepMetrics.GRAD_NORM, step == 3 ? Double.NaN : 1.0);
                    metrics.addMetric(StepMetrics.SAMPLES, 8);
                    metrics.addMetric(StepMetrics.EPOCH, step / 6.0);
                    listener.onTrainingBatch(trainer, null);
                }
            }
        }
        List<TrainEvent> warnings = events.stream().filter(TrainEvent::hasLog).toList();
        assertEquals(1, warnings.size(), "one warning, at the first non-finite loss: " + warnings);
        Log warning = warnings.get(0).getLog();
        assertEquals(Log.Level.WARNING, warning.getLevel());
        assertTrue(warning.getMessage().startsWith("the training loss is NaN at step 3 (grad_norm NaN)"),
                warning.getMessage());
        assertEquals(List.of(2L, 4L, 6L), events.stream().filter(TrainEvent::hasProgress)
                .map(e -> e.getProgress().getGlobalStep()).toList());
        assertEquals(0.6, events.get(0).getProgress().getLoss(), 1e-12, "mean loss of steps 1 and 2");
        assertEquals(1, events.indexOf(warnings.get(0)), "the warning comes as soon as step 3 is seen");
    }
}
