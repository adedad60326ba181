package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.GatewayClient;
import dev.anneal.gateway.TrainRequests;
import dev.anneal.gateway.schedule.Scheduler;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The packaged gateway with {@code anneal.scheduler=kubernetes}: configuration keys reach the scheduler,
 * a job submitted through Train becomes a worker Job and token Secret in the (mock) cluster, and cancel
 * deletes it. No worker runs here; {@link WorkerPodsTest} runs real ones.
 */
@QuarkusTest
@TestProfile(KubernetesSchedulerWiringTest.KubernetesProfile.class)
@QuarkusTestResource(value = MockApiServerResource.class, restrictToAnnotatedClass = true)
class KubernetesSchedulerWiringTest {

    public static class KubernetesProfile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "anneal.scheduler", "kubernetes",
                    "anneal.kubernetes.namespace", "ml",
                    "anneal.kubernetes.worker-image", "ghcr.io/anneal/worker:test",
                    "anneal.kubernetes.pvc-claim", "anneal-store",
                    "anneal.kubernetes.gateway-address", "anneal-gateway-workers.ml.svc:9091",
                    "anneal.kubernetes.default-gpus", "1",
                    "anneal.kubernetes.node-selector", "{\"nvidia.com/gpu.present\":\"true\"}",
                    "anneal.kubernetes.tolerations",
                    "[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]",
                    "anneal.kubernetes.priority-class", "anneal-training",
                    "anneal.worker-service.port", "0");
        }
    }

    @Inject
    Scheduler scheduler;

    @Test
    void trainCreatesAWorkerJobWithItsSecretAndCancelDeletesIt() throws Exception {
        assertTrue(scheduler instanceof KubernetesScheduler, scheduler.getClass().getName());
        try (GatewayClient gateway = GatewayClient.connect();
                KubernetesClient cluster = MockApiServerResource.server.createClient()) {
            Iterator<TrainEvent> events = gateway.blocking.train(TrainRequests.txtaiBasic().build());
            String jobId = events.next().getJobId();
            String name = "anneal-" + jobId + "-1";
            Job job = awaitJob(cluster, name);
            var pod = job.getSpec().getTemplate().getSpec();
            assertEquals("ghcr.io/anneal/worker:test", pod.getContainers().get(0).getImage());
            assertEquals("anneal-gateway-workers.ml.svc:9091", pod.getContainers().get(0).getEnv().get(0).getValue());
            assertEquals(Map.of("nvidia.com/gpu.present", "true"), pod.getNodeSelector());
            assertEquals("NoSchedule", pod.getTolerations().get(0).getEffect());
            assertEquals("anneal-training", pod.getPriorityClassName());
            assertEquals("1", pod.getContainers().get(0).getResources().getLimits().get("nvidia.com/gpu").getAmount());
            assertEquals("anneal-store", pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName());

            TrainEvent scheduled = null;
            while (scheduled == null) {
                TrainEvent event = events.next();
                if (event.hasStageStarted() && event.getStageStarted().getStage() == Stage.SCHEDULED) {
                    scheduled = event;
                }
            }
            // SCHEDULED starts once the Job and its Secret exist.
            Secret secret = cluster.secrets().inNamespace("ml").withName(name + "-token").get();
            assertNotNull(secret, "no token Secret");
            assertEquals(name, secret.getMetadata().getOwnerReferences().get(0).getName());
            assertEquals(JobState.CANCELLED, gateway.blocking.cancelJob(CancelJobRequest.newBuilder().setJobId(jobId)
                    .build()).getState());
            TrainEvent last = scheduled;
            while (events.hasNext()) {
                last = events.next();
            }
            assertEquals(JobState.CANCELLED, last.getFinished().getState());
            assertEquals(null, cluster.batch().v1().jobs().inNamespace("ml").withName(name).get());
        }
    }

    private static Job awaitJob(KubernetesClient cluster, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            Job job = cluster.batch().v1().jobs().inNamespace("ml").withName(name).get();
            if (job != null) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the gateway created no Job " + name);
    }
}
