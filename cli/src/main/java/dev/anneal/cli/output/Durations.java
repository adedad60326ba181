package dev.anneal.cli.output;

/** Short human durations: "0:07", "12:34", "1:02:03". */
public final class Durations {

    private Durations() {}

    public static String clock(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long total = Math.round(seconds);
        long hours = total / 3600;
        long minutes = (total % 3600) / 60;
        long secs = total % 60;
        return hours > 0 ? String.format("%d:%02d:%02d", hours, minutes, secs) : String.format("%d:%02d", minutes, secs);
    }

    /** "0.42s" below a minute, else the clock form. */
    public static String elapsed(double seconds) {
        return seconds < 60 ? String.format("%.2fs", seconds) : clock(seconds);
    }
}
