package dev.anneal.cli.output;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Whether output goes to an interactive terminal, and how wide it is. */
public final class Terminal {

    private static final int DEFAULT_WIDTH = 80;

    private Terminal() {}

    /** True when stdout is a terminal that understands carriage returns (not a pipe, file or dumb terminal). */
    public static boolean isInteractive() {
        return System.console() != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** $COLUMNS when exported, else what {@code stty size} says about the controlling terminal, else 80. */
    public static int width() {
        Integer columns = parseWidth(System.getenv("COLUMNS"));
        if (columns != null) {
            return columns;
        }
        Integer fromStty = stty();
        return fromStty != null ? fromStty : DEFAULT_WIDTH;
    }

    static Integer parseWidth(String text) {
        if (text == null) {
            return null;
        }
        try {
            int width = Integer.parseInt(text.trim());
            return width >= 20 ? width : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Integer stty() {
        File tty = new File("/dev/tty");
        if (!tty.exists()) {
            return null;
        }
        try {
            Process stty = new ProcessBuilder("stty", "size").redirectInput(tty)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            if (!stty.waitFor(1, TimeUnit.SECONDS)) {
                stty.destroyForcibly();
                return null;
            }
            String[] rowsAndColumns = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)
                    .trim().split("\\s+");
            return rowsAndColumns.length == 2 ? parseWidth(rowsAndColumns[1]) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
