package dev.anneal.worker.metrics;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.metrics.PrecisionRecallF1.Average;
import dev.anneal.worker.metrics.PrecisionRecallF1.Score;
import dev.anneal.worker.run.RunFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** The named metrics a request may ask for, and which tasks can produce what each one reads. */
public final class Metrics {
    private static final Map<String, Supplier<Metric>> KNOWN = new LinkedHashMap<>();
    private static final Set<String> CLASSIFICATION;
    private static final Set<String> QUESTION_ANSWERING = Set.of("exact_match", "f1");
    private static final Set<String> LANGUAGE = Set.of("perplexity", "token_accuracy");
    private static final Set<String> TOKEN_DETECTION = Set.of("token_accuracy");

    static {
        KNOWN.put("accuracy", Accuracy::new);
        for (Score score : Score.values()) {
            for (Average average : Average.values()) {
                PrecisionRecallF1 metric = new PrecisionRecallF1(score, average);
                KNOWN.put(metric.name(), () -> new PrecisionRecallF1(score, average));
            }
        }
        KNOWN.put("matthews_corrcoef", MatthewsCorrelation::new);
        for (RegressionMetric.Kind kind : RegressionMetric.Kind.values()) {
            KNOWN.put(kind.name().toLowerCase(Locale.ROOT), () -> new RegressionMetric(kind));
        }
        KNOWN.put("exact_match", SquadExactMatch::new);
        KNOWN.put("perplexity", Perplexity::new);
        KNOWN.put("token_accuracy", TokenAccuracy::new);
        CLASSIFICATION = KNOWN.keySet().stream().filter(name -> !Set.of("exact_match", "perplexity",
                "token_accuracy").contains(name)).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    private Metrics() {
    }

    /** Every metric name, in a stable order. */
    public static List<String> names() {
        return List.copyOf(KNOWN.keySet());
    }

    /** INVALID_ARGUMENT listing the valid names when a name is unknown. */
    public static void requireKnown(List<String> names) {
        for (String name : names) {
            if (!KNOWN.containsKey(name)) {
                throw RunFailure.invalidArgument("metrics", "unknown metric '" + name + "'; valid metrics: "
                        + KNOWN.keySet());
            }
        }
    }

    /**
     * INVALID_ARGUMENT when a task cannot produce what a metric reads (e.g. mse for question-answering).
     * Classification metrics that fit only some label spaces (regression vs classes) are checked when the
     * predictions exist.
     */
    public static void requireApplicable(List<String> names, Task task) {
        requireKnown(names);
        Set<String> allowed = applicable(task);
        for (String name : names) {
            if (!allowed.contains(name)) {
                throw RunFailure.invalidArgument("metrics", "'" + name + "' does not apply to " + task
                        + "; it can report " + KNOWN.keySet().stream().filter(allowed::contains).toList());
            }
        }
    }

    public static Set<String> applicable(Task task) {
        return switch (task) {
            case QUESTION_ANSWERING -> QUESTION_ANSWERING;
            case LANGUAGE_GENERATION, LANGUAGE_MODELING -> LANGUAGE;
            case TOKEN_DETECTION -> TOKEN_DETECTION;
            default -> CLASSIFICATION;
        };
    }

    public static Metric create(String name) {
        requireKnown(List.of(name));
        return KNOWN.get(name).get();
    }
}
