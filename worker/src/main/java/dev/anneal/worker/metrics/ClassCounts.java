package dev.anneal.worker.metrics;

import java.util.TreeSet;

/**
 * Per-class true positives, false positives, false negatives and support, over the classes that occur in
 * the truth or the predictions (sklearn's label set), or per column of multi-label indicator rows.
 */
record ClassCounts(long[] classes, long[] truePositives, long[] falsePositives, long[] falseNegatives,
        long[] support) {

    static ClassCounts of(long[] predicted, long[] actual) {
        TreeSet<Long> labels = new TreeSet<>();
        for (int i = 0; i < actual.length; i++) {
            labels.add(actual[i]);
            labels.add(predicted[i]);
        }
        long[] classes = labels.stream().mapToLong(Long::longValue).toArray();
        int n = classes.length;
        long[] tp = new long[n];
        long[] fp = new long[n];
        long[] fn = new long[n];
        long[] support = new long[n];
        for (int i = 0; i < actual.length; i++) {
            int a = java.util.Arrays.binarySearch(classes, actual[i]);
            int p = java.util.Arrays.binarySearch(classes, predicted[i]);
            support[a]++;
            if (a == p) {
                tp[a]++;
            } else {
                fp[p]++;
                fn[a]++;
            }
        }
        return new ClassCounts(classes, tp, fp, fn, support);
    }

    static ClassCounts of(boolean[][] predicted, boolean[][] actual) {
        int n = actual.length == 0 ? 0 : actual[0].length;
        long[] classes = new long[n];
        long[] tp = new long[n];
        long[] fp = new long[n];
        long[] fn = new long[n];
        long[] support = new long[n];
        for (int c = 0; c < n; c++) {
            classes[c] = c;
        }
        for (int i = 0; i < actual.length; i++) {
            for (int c = 0; c < n; c++) {
                boolean a = actual[i][c];
                boolean p = predicted[i][c];
                if (a) {
                    support[c]++;
                }
                if (a && p) {
                    tp[c]++;
                } else if (p) {
                    fp[c]++;
                } else if (a) {
                    fn[c]++;
                }
            }
        }
        return new ClassCounts(classes, tp, fp, fn, support);
    }

    int indexOf(long label) {
        return java.util.Arrays.binarySearch(classes, label);
    }
}
