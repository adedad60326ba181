package dev.anneal.cli.output;

import dev.anneal.api.client.JobOutcome;
import dev.anneal.api.client.TrainListener;
import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.CheckpointSaved;
import dev.anneal.api.v1.Evaluation;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.Retrying;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Prints a job's events for a person: stage lines, evaluation results and logs as they happen, and progress
 * either as a live bar redrawn in place (terminal) or as one line per progress event (pipes and logs).
 */
public final class EventPrinter implements TrainListener {

    private final PrintWriter out;
    private final boolean live;
    private final int width;
    private String status = "";
    private boolean statusIsBar;
    private int drawn;

    /**
     * @param live redraw a single progress line with carriage returns (only for a terminal)
     * @param width terminal columns, so the live line never wraps
     */
    public EventPrinter(PrintWriter out, boolean live, int width) {
        this.out = out;
        this.live = live;
        this.width = width;
    }

    @Override
    public synchronized void onAccepted(String jobId, Accepted accepted) {
        line("Job " + jobId + " accepted");
    }

    @Override
    public synchronized void onStageStarted(StageStarted started) {
        if (live) {
            status(StageNames.label(started.getStage()) + " ...", false);
        } else {
            line(StageNames.label(started.getStage()) + " started");
        }
    }

    @Override
    public synchronized void onStageFinished(StageFinished finished) {
        endStatus();
        line(String.format(Locale.ROOT, "%-38s %s", StageNames.label(finished.getStage()),
                Durations.elapsed(finished.getDurationSeconds())));
    }

    @Override
    public synchronized void onProgress(Progress progress) {
        if (live) {
            status(ProgressLine.bar(progress, width), true);
        } else {
            line(ProgressLine.plain(progress));
        }
    }

    @Override
    public synchronized void onEvaluation(Evaluation evaluation) {
        line(String.format(Locale.ROOT, "evaluation at step %d (epoch %.2f): %s", evaluation.getGlobalStep(),
                evaluation.getEpoch(), metrics(evaluation.getMetricsMap())));
    }

    @Override
    public synchronized void onCheckpointSaved(CheckpointSaved checkpoint) {
        line("checkpoint at step " + checkpoint.getGlobalStep() + ": " + checkpoint.getLocation());
    }

    @Override
    public synchronized void onLog(Log log) {
        line(log.getLevel().name().toLowerCase(Locale.ROOT).replace("level_unspecified", "log") + ": "
                + log.getMessage());
    }

    @Override
    public synchronized void onRetrying(Retrying retrying) {
        line("retrying (attempt " + retrying.getAttempt() + ", resuming from step " + retrying.getResumedFromStep()
                + "): " + retrying.getReason());
    }

    @Override
    public synchronized void onReattaching(int attempt, String reason) {
        line("connection lost (" + reason + "); re-attaching, attempt " + attempt);
    }

    /** Ends the live line, so what follows starts on a fresh line. */
    public synchronized void interrupt() {
        endStatus();
        out.flush();
    }

    /** The closing summary: state, where the model is, final metrics, or the error. */
    public synchronized void printOutcome(JobOutcome outcome) {
        endStatus();
        var finished = outcome.finished();
        out.println("Job " + outcome.jobId() + " " + finished.getState());
        if (outcome.state() == JobState.SUCCEEDED) {
            out.println("Model: " + finished.getModelLocation());
        }
        if (outcome.state() == JobState.FAILED) {
            out.println("Error: " + describe(finished.getError()));
        }
        if (!finished.getMetricsMap().isEmpty()) {
            out.println("Metrics:");
            new TreeMap<>(finished.getMetricsMap()).forEach((name, value) ->
                    out.println(String.format(Locale.ROOT, "  %-28s %s", name, number(value))));
        }
        out.flush();
    }

    static String describe(JobError error) {
        String stage = error.getStage() == Stage.STAGE_UNSPECIFIED ? "" : " in stage " + error.getStage();
        String code = error.getCode().isEmpty() ? "" : error.getCode() + ": ";
        return code + error.getMessage() + stage;
    }

    private static String metrics(Map<String, Double> metrics) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(metrics).forEach((name, value) ->
                text.append(text.length() == 0 ? "" : "  ").append(name).append(' ').append(number(value)));
        return text.toString();
    }

    static String number(double value) {
        // Counts (steps, samples) read best as integers; scores such as accuracy 1.0 keep their decimals.
        if (value == Math.rint(value) && Math.abs(value) >= 10 && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return value == 0 || (Math.abs(value) >= 1e-3 && Math.abs(value) < 1e6)
                ? String.format(Locale.ROOT, "%.4f", value)
                : String.format(Locale.ROOT, "%.4e", value);
    }

    private void line(String text) {
        erase();
        out.println(text);
        draw();
        out.flush();
    }

    /** Replaces the live line (a stage in progress or the progress bar). */
    private void status(String text, boolean isBar) {
        erase();
        status = text;
        statusIsBar = isBar;
        draw();
        out.flush();
    }

    /** A finished stage ends its live line; a final progress bar stays on screen as a permanent line. */
    private void endStatus() {
        erase();
        if (statusIsBar) {
            out.println(status);
        }
        status = "";
        statusIsBar = false;
    }

    private void draw() {
        if (live && !status.isEmpty()) {
            out.print(status);
            drawn = status.length();
        }
    }

    private void erase() {
        if (drawn > 0) {
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
    }
}
