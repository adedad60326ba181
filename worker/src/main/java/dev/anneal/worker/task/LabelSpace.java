package dev.anneal.worker.task;

import dev.anneal.worker.run.RunFailure;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The labels of a text-classification data set, counted the way txtai's {@code Data.labels} counts them:
 * a vector label gives multi-label classification with one output per element, any non-integral number
 * gives regression, otherwise one class per distinct value. Where txtai would crash or mislabel,
 * Anneal decides differently and says so:
 * <ul>
 *   <li>string labels are classes (txtai takes the length of the first string): sorted, written to
 *       id2label/label2id;</li>
 *   <li>non-contiguous integer labels such as {0, 2} keep their ids: num_labels becomes max + 1, so label
 *       2 is still class 2 (txtai counts 2 classes and the loss fails on label 2); negative ids are refused.</li>
 * </ul>
 */
public final class LabelSpace {
    /** Hugging Face problem_type values. */
    public static final String SINGLE_LABEL = "single_label_classification";
    public static final String MULTI_LABEL = "multi_label_classification";
    public static final String REGRESSION = "regression";

    private final String problemType;
    private final int numLabels;
    /** Class names by id for string labels; null for numeric labels. */
    private final List<String> names;
    private final String note;

    private LabelSpace(String problemType, int numLabels, List<String> names, String note) {
        this.problemType = problemType;
        this.numLabels = numLabels;
        this.names = names;
        this.note = note;
    }

    /** Counts labels from every value of the label column, in row order. */
    public static LabelSpace count(Collection<Object> labels, String source) {
        if (labels.isEmpty()) {
            throw RunFailure.invalidArgument(source, "has no rows");
        }
        Object first = labels.iterator().next();
        if (first instanceof List<?> vector) {
            if (vector.isEmpty()) {
                throw RunFailure.invalidArgument(source, "row 0: a vector label must not be empty");
            }
            return new LabelSpace(MULTI_LABEL, vector.size(), null, null);
        }
        if (first instanceof String) {
            TreeSet<String> distinct = new TreeSet<>();
            for (Object label : labels) {
                distinct.add(String.valueOf(label));
            }
            return new LabelSpace(SINGLE_LABEL, distinct.size(), new ArrayList<>(distinct),
                    "string labels mapped to class ids in sorted order: " + distinct);
        }
        TreeSet<Double> distinct = new TreeSet<>();
        for (Object label : labels) {
            distinct.add(asNumber(label, source));
        }
        boolean integral = distinct.stream().allMatch(v -> v == Math.rint(v));
        if (!integral || distinct.size() == 1) {
            return new LabelSpace(REGRESSION, 1, null, null);
        }
        double min = distinct.first();
        double max = distinct.last();
        if (min < 0) {
            throw RunFailure.invalidArgument(source, "integer labels must be >= 0 (class ids), found " + (long) min);
        }
        if (max >= distinct.size()) {
            return new LabelSpace(SINGLE_LABEL, (int) max + 1, null, "labels " + distinct.stream()
                    .map(Double::longValue).toList() + " are not contiguous; num_labels = " + ((long) max + 1)
                    + " so every label keeps its id");
        }
        return new LabelSpace(SINGLE_LABEL, distinct.size(), null, null);
    }

    private static double asNumber(Object label, String source) {
        if (label instanceof Boolean bool) {
            return bool ? 1 : 0;
        }
        if (label instanceof Number number) {
            double value = number.doubleValue();
            if (Double.isFinite(value)) {
                return value;
            }
        }
        throw RunFailure.invalidArgument(source, "label " + label + " is not a number, string or vector");
    }

    public String problemType() {
        return problemType;
    }

    public int numLabels() {
        return numLabels;
    }

    /** A note for the job's log when Anneal decided differently from txtai, or null. */
    public String note() {
        return note;
    }

    /** id2label for the model config: the class names for string labels, else "LABEL_i" as Hugging Face writes. */
    public Map<Integer, String> id2label() {
        Map<Integer, String> map = new TreeMap<>();
        for (int i = 0; i < numLabels; i++) {
            map.put(i, names != null ? names.get(i) : "LABEL_" + i);
        }
        return map;
    }

    /** Puts this row's label into {@code longs} (class id) or {@code floats} (regression, multi-label). */
    public void encode(Object label, String where, Map<String, long[]> longs, Map<String, float[]> floats) {
        switch (problemType) {
            case MULTI_LABEL -> {
                if (!(label instanceof List<?> vector) || vector.size() != numLabels) {
                    throw RunFailure.invalidArgument(where, "expected a label vector of length " + numLabels
                            + ", got " + label);
                }
                float[] values = new float[numLabels];
                for (int i = 0; i < numLabels; i++) {
                    values[i] = (float) asNumber(vector.get(i), where);
                }
                floats.put("labels", values);
            }
            case REGRESSION -> floats.put("labels", new float[] {(float) asNumber(label, where)});
            default -> longs.put("labels", new long[] {classId(label, where)});
        }
    }

    private long classId(Object label, String where) {
        if (names != null) {
            int id = names.indexOf(String.valueOf(label));
            if (id < 0 || !(label instanceof String)) {
                throw RunFailure.invalidArgument(where, "label " + label + " is not one of the training labels "
                        + names);
            }
            return id;
        }
        double value = asNumber(label, where);
        if (value != Math.rint(value) || value < 0 || value >= numLabels) {
            throw RunFailure.invalidArgument(where, "label " + label + " is not a class id in [0, " + numLabels + ")");
        }
        return (long) value;
    }
}
