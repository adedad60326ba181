package dev.anneal.gateway.kubernetes;

import java.util.Map;

/** Names and labels of the Kubernetes objects of one attempt; how the gateway finds its own objects. */
public final class WorkerLabels {
    public static final String NAME = "app.kubernetes.io/name";
    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String JOB_ID = "anneal.dev/job-id";
    public static final String ATTEMPT = "anneal.dev/attempt";
    public static final String KUEUE_QUEUE = "kueue.x-k8s.io/queue-name";
    /** Every object the gateway creates carries this label with this value; it lists and watches by it. */
    public static final String MANAGER = "anneal-gateway";
    /** The key of the token in an attempt's Secret. */
    public static final String TOKEN_KEY = "token";

    private WorkerLabels() {
    }

    /** {@code anneal-<job id>-<attempt>}; job ids are DNS-label safe and short. */
    public static String jobName(String jobId, int attempt) {
        return "anneal-" + jobId + "-" + attempt;
    }

    public static String secretName(String jobId, int attempt) {
        return jobName(jobId, attempt) + "-token";
    }

    public static Map<String, String> of(String jobId, int attempt) {
        return Map.of(NAME, "anneal", COMPONENT, "worker", PART_OF, "anneal", MANAGED_BY, MANAGER, JOB_ID, jobId,
                ATTEMPT, Integer.toString(attempt));
    }
}
