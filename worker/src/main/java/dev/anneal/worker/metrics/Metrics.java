package dev.anneal.worker.metrics;

import dev.anneal.worker.run.RunFailure;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The named metrics a request may ask for. */
public final class Metrics {
    private static final Map<String, Supplier<Metric>> KNOWN = new LinkedHashMap<>();

    static {
        KNOWN.put("accuracy", Accuracy::new);
    }

    private Metrics() {
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

    public static Metric create(String name) {
        requireKnown(List.of(name));
        return KNOWN.get(name).get();
    }
}
