package dev.anneal.gateway.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.util.Collection;
import java.util.List;

/**
 * What the Kubernetes objects of one attempt say about it, read the way a person reads
 * {@code kubectl describe}: still waiting (and why), running, ended well, or lost (and whether a retry
 * can help). Pure, so every case is unit-tested.
 */
public sealed interface AttemptStatus {

    /** The pod has not started its worker yet. */
    record Waiting(String reason) implements AttemptStatus {
    }

    record Running() implements AttemptStatus {
    }

    /** The worker exited 0: it reported its end and the gateway acknowledged it. */
    record Completed() implements AttemptStatus {
    }

    /**
     * The attempt is over without a reported end.
     *
     * @param retryable false when running it again cannot help (bad request or data, time limit)
     * @param code      the JobError code for a job that ends here
     * @param podMayRun true when the pod's fate is unknown (its node stopped reporting): its Job must be
     *                  deleted so it cannot come back beside the retry
     */
    record Lost(String reason, boolean retryable, String code, boolean podMayRun) implements AttemptStatus {
        Lost(String reason, boolean retryable, String code) {
            this(reason, retryable, code, false);
        }
    }

    /** The worker exit code that means "invalid request or data" (see the worker's ExitCodes). */
    int INVALID_EXIT_CODE = 3;

    /** The status from the attempt's Job (may be null) and its pods (may be empty). */
    static AttemptStatus of(Job job, Collection<Pod> pods) {
        JobCondition failed = job == null ? null : condition(job, "Failed");
        if (failed != null && "DeadlineExceeded".equals(failed.getReason())) {
            return new Lost("the job ran longer than resources.timeout_seconds (" + failed.getMessage() + ")", false,
                    "DEADLINE_EXCEEDED");
        }
        Pod pod = newest(pods);
        if (pod != null) {
            AttemptStatus fromPod = ofPod(pod);
            if (!(fromPod instanceof Waiting) || failed == null) {
                return fromPod;
            }
        }
        if (failed != null) {
            return new Lost("the Kubernetes Job failed: " + failed.getReason() + " " + nullToEmpty(failed.getMessage()),
                    true, "UNAVAILABLE");
        }
        if (job != null && condition(job, "Complete") != null) {
            return new Completed();
        }
        if (job != null && Boolean.TRUE.equals(job.getSpec().getSuspend())) {
            return new Waiting("the Job is suspended, waiting for Kueue to admit it");
        }
        return new Waiting("no pod created yet");
    }

    static AttemptStatus ofPod(Pod pod) {
        String phase = pod.getStatus() == null ? "Pending" : nullToEmpty(pod.getStatus().getPhase());
        ContainerStatus container = container(pod);
        switch (phase) {
            case "Succeeded":
                return new Completed();
            case "Failed": {
                String podReason = nullToEmpty(pod.getStatus().getReason());
                if (!podReason.isEmpty() && (container == null || container.getState().getTerminated() == null)) {
                    // Evicted, NodeLost, Shutdown, DeadlineExceeded, ...: the pod ended around the worker.
                    boolean deadline = podReason.equals("DeadlineExceeded");
                    return new Lost(podReason + ": " + nullToEmpty(pod.getStatus().getMessage()), !deadline,
                            deadline ? "DEADLINE_EXCEEDED" : "UNAVAILABLE");
                }
                return terminated(container == null ? null : container.getState().getTerminated(), podReason);
            }
            case "Unknown":
                return new Lost("the pod's node stopped reporting (phase Unknown): "
                        + nullToEmpty(pod.getStatus().getReason()), true, "UNAVAILABLE", true);
            case "Running":
                if (container != null && container.getState() != null && container.getState().getTerminated() != null) {
                    return terminated(container.getState().getTerminated(), "");
                }
                return new Running();
            default:
                return new Waiting(pendingReason(pod, container));
        }
    }

    private static AttemptStatus terminated(ContainerStateTerminated terminated, String podReason) {
        if (terminated == null) {
            return new Lost("the pod failed" + (podReason.isEmpty() ? "" : ": " + podReason), true, "UNAVAILABLE");
        }
        int exit = terminated.getExitCode() == null ? -1 : terminated.getExitCode();
        String reason = nullToEmpty(terminated.getReason());
        if (exit == 0) {
            return new Completed();
        }
        if (exit == INVALID_EXIT_CODE) {
            return new Lost("the worker exited with code 3: the request or its data is invalid"
                    + message(terminated.getMessage()), false, "INVALID_ARGUMENT");
        }
        String what = reason.equals("OOMKilled") ? "OOMKilled: the worker ran out of memory"
                : "the worker exited with code " + exit + (reason.isEmpty() ? "" : " (" + reason + ")");
        return new Lost(what + message(terminated.getMessage()), true, "UNAVAILABLE");
    }

    private static String pendingReason(Pod pod, ContainerStatus container) {
        if (container != null && container.getState() != null && container.getState().getWaiting() != null) {
            ContainerStateWaiting waiting = container.getState().getWaiting();
            return nullToEmpty(waiting.getReason()) + message(waiting.getMessage());
        }
        List<PodCondition> conditions = pod.getStatus() == null ? List.of() : pod.getStatus().getConditions();
        for (PodCondition condition : conditions) {
            if ("PodScheduled".equals(condition.getType()) && "False".equals(condition.getStatus())) {
                return nullToEmpty(condition.getReason()) + message(condition.getMessage());
            }
        }
        return "the pod is pending";
    }

    private static ContainerStatus container(Pod pod) {
        if (pod.getStatus() == null || pod.getStatus().getContainerStatuses() == null) {
            return null;
        }
        return pod.getStatus().getContainerStatuses().stream()
                .filter(c -> WorkerJobFactory.CONTAINER.equals(c.getName())).findFirst().orElse(null);
    }

    private static Pod newest(Collection<Pod> pods) {
        Pod newest = null;
        for (Pod pod : pods) {
            if (newest == null || nullToEmpty(pod.getMetadata().getCreationTimestamp())
                    .compareTo(nullToEmpty(newest.getMetadata().getCreationTimestamp())) > 0) {
                newest = pod;
            }
        }
        return newest;
    }

    private static JobCondition condition(Job job, String type) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        return job.getStatus().getConditions().stream()
                .filter(c -> type.equals(c.getType()) && "True".equals(c.getStatus())).findFirst().orElse(null);
    }

    private static String message(String message) {
        return message == null || message.isBlank() ? "" : ": " + message;
    }

    private static String nullToEmpty(String value) {
        return value == null ? "" : value;
    }
}
