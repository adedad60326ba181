package dev.anneal.gateway.dataset;

/**
 * Counts the rows of a JSON-lines file from its bytes as they stream past, without parsing: a row is a
 * line holding anything but whitespace, as the worker's reader skips blank lines.
 */
final class JsonLinesCounter {
    private long rows;
    private boolean lineHasContent;

    void accept(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n') {
                if (lineHasContent) {
                    rows++;
                }
                lineHasContent = false;
            } else if (b != ' ' && b != '\t' && b != '\r') {
                lineHasContent = true;
            }
        }
    }

    /** Rows so far, counting a last line without a newline. */
    long rows() {
        return rows + (lineHasContent ? 1 : 0);
    }
}
