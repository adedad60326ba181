package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Resources;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.Events;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the scheduler does with a pod that ends without its worker reporting the job's end, with pods
 * scripted by hand in the mock API server (no worker runs): retried up to resources.max_retries, not
 * retried for exit code 3.
 */
class RetryPolicyTest {
    private static final String NAMESPACE = "anneal-test";

    @TempDir
    Path dataDir;
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private ClusterGateway gateway;

    @BeforeEach
    void start() throws Exception {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        KubernetesSettings settings = new KubernetesSettings(NAMESPACE, "anneal/worker:test", "IfNotPresent", null,
                "anneal-data", "127.0.0.1:1", 0, null, null, Map.of(), List.of(), null, null, Duration.ofMinutes(5),
                60, 3);
        gateway = new ClusterGateway(client, settings, dataDir, 0);
    }

    @AfterEach
    void stop() throws InterruptedException {
        gateway.close();
        client.close();
        server.destroy();
    }

    @Test
    void lostPodsAreRetriedUpToMaxRetriesThenTheJobFails() throws Exception {
        Iterator<TrainEvent> stream = gateway.train.train(request(1));
        String jobId = stream.next().getJobId();

        endPod(awaitJob(jobId, 1), 137, "OOMKilled");
        endPod(awaitJob(jobId, 2), 1, "Error");
        List<TrainEvent> events = Events.readAll(stream);

        TrainEvent retrying = events.stream().filter(TrainEvent::hasRetrying).findFirst().orElseThrow();
        assertEquals(2, retrying.getRetrying().getAttempt());
        assertEquals(0, retrying.getRetrying().getResumedFromStep(), "no checkpoint was saved");
        assertTrue(retrying.getRetrying().getReason().startsWith("OOMKilled"), retrying.toString());
        assertEquals(1, events.stream().filter(TrainEvent::hasRetrying).count());
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, last.getFinished().getState());
        assertEquals("UNAVAILABLE", last.getFinished().getError().getCode());
        assertEquals("the worker exited with code 1 (Error) (attempt 2; no retries left of 1)",
                last.getFinished().getError().getMessage());
        Thread.sleep(700);
        assertNull(job(jobId, 3), "a third attempt beyond max_retries");
    }

    @Test
    void exitCodeThreeFailsTheJobWithoutARetry() throws Exception {
        Iterator<TrainEvent> stream = gateway.train.train(request(3));
        String jobId = stream.next().getJobId();

        endPod(awaitJob(jobId, 1), 3, "Error");
        List<TrainEvent> events = Events.readAll(stream);

        assertTrue(events.stream().noneMatch(TrainEvent::hasRetrying));
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, last.getFinished().getState());
        assertEquals("INVALID_ARGUMENT", last.getFinished().getError().getCode());
        Thread.sleep(700);
        assertNull(job(jobId, 2));
    }

    private static TrainRequest request(int maxRetries) {
        return dev.anneal.gateway.TrainRequests.txtaiBasic()
                .setResources(Resources.newBuilder().setMaxRetries(maxRetries)).build();
    }

    private Job job(String jobId, int attempt) {
        return client.batch().v1().jobs().inNamespace(NAMESPACE).withName(WorkerLabels.jobName(jobId, attempt)).get();
    }

    private Job awaitJob(String jobId, int attempt) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Job job = job(jobId, attempt);
            if (job != null) {
                return job;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no Job for attempt " + attempt);
    }

    /** The pod of a Job, ended the way a kubelet reports a container that exited. */
    private void endPod(Job job, int exitCode, String reason) {
        Pod pod = client.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata()
                .withName(job.getMetadata().getName() + "-p0d").withNamespace(NAMESPACE)
                .withLabels(job.getSpec().getTemplate().getMetadata().getLabels()).endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec()).build()).create();
        pod.setStatus(new PodStatusBuilder().withPhase("Failed").withContainerStatuses(new ContainerStatusBuilder()
                .withName("worker").withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exitCode)
                        .withReason(reason).endTerminated().build()).build()).build());
        client.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }
}
