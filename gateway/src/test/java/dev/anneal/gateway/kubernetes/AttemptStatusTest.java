package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reading an attempt's Job and pods the way kubectl describe would, one case at a time. */
class AttemptStatusTest {

    @Test
    void unschedulablePodIsWaitingWithTheSchedulersReason() {
        var status = AttemptStatus.of(job(), List.of(pod(new PodStatusBuilder().withPhase("Pending")
                .withConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
                        .withReason("Unschedulable").withMessage("0/4 nodes are available: 4 Insufficient nvidia.com/gpu.")
                        .build()).build())));
        assertEquals(new AttemptStatus.Waiting("Unschedulable: 0/4 nodes are available: 4 Insufficient nvidia.com/gpu."),
                status);
    }

    @Test
    void imagePullErrorIsWaitingWithTheKubeletsReason() {
        var status = AttemptStatus.of(job(), List.of(pod(new PodStatusBuilder().withPhase("Pending")
                .withContainerStatuses(new ContainerStatusBuilder().withName("worker").withState(new ContainerStateBuilder()
                        .withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image \"w:1\"")
                        .endWaiting().build()).build()).build())));
        assertEquals(new AttemptStatus.Waiting("ImagePullBackOff: Back-off pulling image \"w:1\""), status);
    }

    @Test
    void oomKilledIsLostAndRetryable() {
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job(), List.of(terminated(137, "OOMKilled"))));
        assertTrue(lost.retryable());
        assertTrue(lost.reason().startsWith("OOMKilled"), lost.reason());
    }

    @Test
    void nonZeroExitIsLostAndRetryable() {
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job(), List.of(terminated(1, "Error"))));
        assertTrue(lost.retryable());
        assertEquals("the worker exited with code 1 (Error)", lost.reason());
    }

    @Test
    void exitCodeThreeIsAnInvalidRequestAndNotRetried() {
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job(), List.of(terminated(3, "Error"))));
        assertEquals(false, lost.retryable());
        assertEquals("INVALID_ARGUMENT", lost.code());
    }

    @Test
    void evictedPodIsLostAndRetryable() {
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job(), List.of(pod(new PodStatusBuilder()
                .withPhase("Failed").withReason("Evicted").withMessage("The node was low on resource: memory.").build()))));
        assertTrue(lost.retryable());
        assertEquals("Evicted: The node was low on resource: memory.", lost.reason());
    }

    @Test
    void unknownPhaseMeansTheNodeWasLost() {
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job(), List.of(pod(new PodStatusBuilder()
                .withPhase("Unknown").withReason("NodeLost").build()))));
        assertTrue(lost.retryable());
        assertTrue(lost.reason().contains("NodeLost"), lost.reason());
        assertTrue(lost.podMayRun(), "its Job must be deleted before the retry");
    }

    @Test
    void deadlineExceededIsNotRetried() {
        Job job = job();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder().withConditions(
                new JobConditionBuilder().withType("Failed").withStatus("True").withReason("DeadlineExceeded")
                        .withMessage("Job was active longer than specified deadline").build()).build());
        var lost = assertInstanceOf(AttemptStatus.Lost.class, AttemptStatus.of(job, List.of()));
        assertEquals(false, lost.retryable());
        assertEquals("DEADLINE_EXCEEDED", lost.code());
    }

    @Test
    void exitZeroIsCompletedAndRunningIsRunning() {
        assertEquals(new AttemptStatus.Completed(), AttemptStatus.of(job(), List.of(terminated(0, "Completed"))));
        assertEquals(new AttemptStatus.Running(), AttemptStatus.of(job(), List.of(pod(new PodStatusBuilder()
                .withPhase("Running").build()))));
    }

    @Test
    void suspendedJobWaitsForKueue() {
        Job job = job();
        job.getSpec().setSuspend(true);
        var waiting = assertInstanceOf(AttemptStatus.Waiting.class, AttemptStatus.of(job, List.of()));
        assertTrue(waiting.reason().contains("Kueue"), waiting.reason());
    }

    private static Job job() {
        return new JobBuilder().withNewMetadata().withName("anneal-x-1").endMetadata().withNewSpec().endSpec().build();
    }

    private static Pod terminated(int exitCode, String reason) {
        return pod(new PodStatusBuilder().withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName("worker").withState(new ContainerStateBuilder()
                        .withNewTerminated().withExitCode(exitCode).withReason(reason).endTerminated().build()).build())
                .build());
    }

    private static Pod pod(PodStatus status) {
        return new PodBuilder().withNewMetadata().withName("anneal-x-1-abcde").withCreationTimestamp("2026-11-28T19:00:00Z")
                .endMetadata().withStatus(status).build();
    }
}
