package dev.anneal.cli.output;

import dev.anneal.api.v1.Progress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Renders one progress event as a single line: a bar for a terminal, or key=value text for logs. */
public final class ProgressLine {

    static final int BAR_WIDTH = 24;

    private ProgressLine() {}

    /**
     * The live bar, e.g. {@code [#########---------------] 120/300 epoch 1.20 loss 0.6931 lr 4.00e-05
     * 31.2 samples/s ETA 0:12}; fields are dropped from the end so the line fits in {@code width} columns.
     */
    public static String bar(Progress progress, int width) {
        List<String> parts = new ArrayList<>();
        parts.add(bar(progress.getGlobalStep(), progress.getMaxSteps()));
        parts.add(steps(progress));
        parts.add(String.format(Locale.ROOT, "epoch %.2f", progress.getEpoch()));
        parts.add(String.format(Locale.ROOT, "loss %.4f", progress.getLoss()));
        parts.add(String.format(Locale.ROOT, "lr %.2e", progress.getLearningRate()));
        parts.add(String.format(Locale.ROOT, "%.1f samples/s", progress.getSamplesPerSecond()));
        parts.add("ETA " + Durations.clock(progress.getEtaSeconds()));
        StringBuilder line = new StringBuilder();
        for (String part : parts) {
            int needed = (line.length() == 0 ? 0 : 1) + part.length();
            if (line.length() + needed > Math.max(width - 1, BAR_WIDTH + 2)) {
                break;
            }
            if (line.length() > 0) {
                line.append(' ');
            }
            line.append(part);
        }
        return line.toString();
    }

    /** One line per event for non-terminal output, e.g. {@code step 120/300 epoch 1.20 loss 0.6931 ...}. */
    public static String plain(Progress progress) {
        return String.format(Locale.ROOT, "step %s epoch %.2f loss %.4f lr %.2e grad_norm %.4f %.1f samples/s eta %s",
                steps(progress), progress.getEpoch(), progress.getLoss(), progress.getLearningRate(),
                progress.getGradNorm(), progress.getSamplesPerSecond(), Durations.clock(progress.getEtaSeconds()));
    }

    static String bar(long step, long maxSteps) {
        int filled = maxSteps <= 0 ? 0 : (int) Math.min(BAR_WIDTH, Math.max(0, step * BAR_WIDTH / maxSteps));
        return "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "]";
    }

    private static String steps(Progress progress) {
        return progress.getMaxSteps() > 0
                ? progress.getGlobalStep() + "/" + progress.getMaxSteps()
                : Long.toString(progress.getGlobalStep());
    }
}
