package dev.anneal.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.api.client.JobOutcome;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class EventPrinterTest {

    private final StringWriter text = new StringWriter();

    private static Progress step(long step) {
        return Progress.newBuilder().setGlobalStep(step).setMaxSteps(4).setLoss(1.0 / step).build();
    }

    private void train(EventPrinter printer) {
        printer.onAccepted("j1", null);
        printer.onStageStarted(StageStarted.newBuilder().setStage(Stage.TRAIN).build());
        printer.onProgress(step(2));
        printer.onLog(Log.newBuilder().setLevel(Log.Level.WARNING).setMessage("slow disk").build());
        printer.onProgress(step(4));
        printer.onReattaching(1, "UNAVAILABLE");
        printer.onStageFinished(StageFinished.newBuilder().setStage(Stage.TRAIN).setDurationSeconds(3.5).build());
    }

    @Test
    void plainOutputIsOneLinePerEvent() {
        train(new EventPrinter(new PrintWriter(text), false, Integer.MAX_VALUE));
        assertEquals("""
                Job j1 accepted
                [11/14] TRAIN started
                step 2/4 epoch 0.00 loss 0.5000 lr 0.00e+00 grad_norm 0.0000 0.0 samples/s eta 0:00
                warning: slow disk
                step 4/4 epoch 0.00 loss 0.2500 lr 0.00e+00 grad_norm 0.0000 0.0 samples/s eta 0:00
                connection lost (UNAVAILABLE); re-attaching, attempt 1
                [11/14] TRAIN                          3.50s
                """, text.toString());
    }

    @Test
    void liveOutputRedrawsOneLineAndKeepsTheFinalBar() {
        train(new EventPrinter(new PrintWriter(text), true, 40));
        String bar2 = "[############------------] 2/4";
        String bar4 = "[########################] 4/4";
        String stage = "[11/14] TRAIN ...";
        String expected = "Job j1 accepted\n"
                + stage
                + "\r" + " ".repeat(stage.length()) + "\r" + bar2
                + "\r" + " ".repeat(bar2.length()) + "\r" + "warning: slow disk\n" + bar2
                + "\r" + " ".repeat(bar2.length()) + "\r" + bar4
                + "\r" + " ".repeat(bar4.length()) + "\r" + "connection lost (UNAVAILABLE); re-attaching, attempt 1\n" + bar4
                + "\r" + " ".repeat(bar4.length()) + "\r" + bar4 + "\n"
                + "[11/14] TRAIN                          3.50s\n";
        assertEquals(expected, text.toString());
    }

    @Test
    void theOutcomeSaysWhereTheModelIsAndListsMetricsSorted() {
        EventPrinter printer = new EventPrinter(new PrintWriter(text), false, 80);
        printer.printOutcome(new JobOutcome("j1", 40, Finished.newBuilder().setState(JobState.SUCCEEDED)
                .setModelLocation("/data/models/j1").putMetrics("train_loss", 0.31234).putMetrics("eval_accuracy", 1)
                .putMetrics("train_steps", 300).putMetrics("train_runtime", 0.00012).build()));
        assertEquals("""
                Job j1 SUCCEEDED
                Model: /data/models/j1
                Metrics:
                  eval_accuracy                1.0000
                  train_loss                   0.3123
                  train_runtime                1.2000e-04
                  train_steps                  300
                """, text.toString());
    }

    @Test
    void aFailedOutcomeNamesCodeMessageAndStage() {
        EventPrinter printer = new EventPrinter(new PrintWriter(text), false, 80);
        printer.printOutcome(new JobOutcome("j1", 9, Finished.newBuilder().setState(JobState.FAILED)
                .setError(JobError.newBuilder().setCode("INVALID_ARGUMENT").setMessage("row 3: no 'label'")
                        .setStage(Stage.TOKENIZE)).build()));
        assertEquals("Job j1 FAILED\nError: INVALID_ARGUMENT: row 3: no 'label' in stage TOKENIZE\n", text.toString());
    }
}
