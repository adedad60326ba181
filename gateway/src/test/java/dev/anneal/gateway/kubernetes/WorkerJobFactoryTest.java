package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Resources;
import dev.anneal.api.v1.TrainRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The worker Job and Secret, field by field, without an API server. */
class WorkerJobFactoryTest {
    private static final String JOB_ID = "20261128-183005-k3f9qz";
    private static final Toleration GPU_TAINT = new TolerationBuilder().withKey("nvidia.com/gpu")
            .withOperator("Exists").withEffect("NoSchedule").build();

    private static KubernetesSettings settings(String kueueQueue) {
        return new KubernetesSettings("ml", "ghcr.io/anneal/worker:1.0", "Always", "anneal-worker", "anneal-store",
                "anneal-gateway.ml.svc:9091", 1, "2", "8Gi", Map.of("nvidia.com/gpu.present", "true"),
                List.of(GPU_TAINT), "anneal-training", kueueQueue, Duration.ofMinutes(10), 3600, 3);
    }

    private static final TrainRequest PLAIN = TrainRequest.newBuilder().setBase("bert").build();

    @Test
    void oneAttemptIsOneJobThatKubernetesNeverRetries() {
        Job job = new WorkerJobFactory(settings(null)).job(JOB_ID, 2, PLAIN);

        assertEquals("anneal-" + JOB_ID + "-2", job.getMetadata().getName());
        assertEquals("ml", job.getMetadata().getNamespace());
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertEquals(1, job.getSpec().getCompletions());
        assertEquals(1, job.getSpec().getParallelism());
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
        assertNull(job.getSpec().getActiveDeadlineSeconds(), "no time limit unless the request sets one");
        assertNull(job.getSpec().getSuspend());
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertEquals("Never", pod.getRestartPolicy());
        assertEquals("anneal-worker", pod.getServiceAccountName());
        assertFalse(pod.getAutomountServiceAccountToken(), "workers never talk to the API server");
        assertEquals("anneal-training", pod.getPriorityClassName());
    }

    @Test
    void labelsNameTheJobAndAttemptOnTheJobAndItsPods() {
        Job job = new WorkerJobFactory(settings(null)).job(JOB_ID, 2, PLAIN);
        Map<String, String> expected = Map.of("app.kubernetes.io/name", "anneal", "app.kubernetes.io/component",
                "worker", "app.kubernetes.io/part-of", "anneal", "app.kubernetes.io/managed-by", "anneal-gateway",
                "anneal.dev/job-id", JOB_ID, "anneal.dev/attempt", "2");
        assertEquals(expected, job.getMetadata().getLabels());
        assertEquals(expected, job.getSpec().getTemplate().getMetadata().getLabels());
    }

    @Test
    void defaultsFromConfigurationWhenTheRequestAsksForNothing() {
        Container container = container(new WorkerJobFactory(settings(null)).job(JOB_ID, 1, PLAIN));
        assertEquals(Map.of("nvidia.com/gpu", new Quantity("1"), "cpu", new Quantity("2"), "memory", new Quantity("8Gi")),
                container.getResources().getLimits());
        assertEquals(Map.of("cpu", new Quantity("2"), "memory", new Quantity("8Gi")),
                container.getResources().getRequests(), "GPUs are limits only, as the device plugin requires");
        PodSpec pod = new WorkerJobFactory(settings(null)).job(JOB_ID, 1, PLAIN).getSpec().getTemplate().getSpec();
        assertEquals(Map.of("nvidia.com/gpu.present", "true"), pod.getNodeSelector());
        assertEquals(List.of(GPU_TAINT), pod.getTolerations());
    }

    @Test
    void theRequestsResourcesOverrideAndExtendTheDefaults() {
        TrainRequest request = PLAIN.toBuilder().setResources(Resources.newBuilder().setGpus(4).setCpu("16")
                .setMemory("64Gi").putNodeSelector("nvidia.com/gpu.product", "A100").setTimeoutSeconds(7200)
                .addTolerations(dev.anneal.api.v1.Toleration.newBuilder().setKey("dedicated").setOperator("Equal")
                        .setValue("ml").setEffect("NoExecute"))).build();
        Job job = new WorkerJobFactory(settings(null)).job(JOB_ID, 1, request);
        Container container = container(job);
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertEquals(7200L, job.getSpec().getActiveDeadlineSeconds());
        assertEquals(new Quantity("4"), container.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals(new Quantity("16"), container.getResources().getLimits().get("cpu"));
        assertEquals(new Quantity("64Gi"), container.getResources().getRequests().get("memory"));
        assertEquals(Map.of("nvidia.com/gpu.present", "true", "nvidia.com/gpu.product", "A100"), pod.getNodeSelector());
        assertEquals(List.of(GPU_TAINT, new TolerationBuilder().withKey("dedicated").withOperator("Equal")
                .withValue("ml").withEffect("NoExecute").build()), pod.getTolerations());
    }

    @Test
    void noGpuLimitForACpuJob() {
        KubernetesSettings cpu = new KubernetesSettings("ml", "w:1", "IfNotPresent", null, "c", "g:9091", 0, null, null,
                Map.of(), List.of(), null, null, Duration.ofMinutes(1), 60, 0);
        Job job = new WorkerJobFactory(cpu).job(JOB_ID, 1, PLAIN);
        assertTrue(container(job).getResources().getLimits().isEmpty());
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertNull(pod.getNodeSelector());
        assertNull(pod.getServiceAccountName());
        assertNull(pod.getPriorityClassName());
    }

    @Test
    void containerRunsTheConfiguredImageWithTheStoreMountedAndARestrictedSecurityContext() {
        Job job = new WorkerJobFactory(settings(null)).job(JOB_ID, 1, PLAIN);
        Container container = container(job);
        PodSpec pod = job.getSpec().getTemplate().getSpec();

        assertEquals("worker", container.getName());
        assertEquals("ghcr.io/anneal/worker:1.0", container.getImage());
        assertEquals("Always", container.getImagePullPolicy());
        Map<String, String> mounts = container.getVolumeMounts().stream()
                .collect(Collectors.toMap(m -> m.getName(), m -> m.getMountPath()));
        assertEquals(Map.of("data", "/data", "tmp", "/tmp"), mounts);
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
        assertEquals("anneal-store", volumes.get("data").getPersistentVolumeClaim().getClaimName());
        assertTrue(volumes.get("tmp").getEmptyDir() != null);

        assertTrue(pod.getSecurityContext().getRunAsNonRoot());
        assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
        assertFalse(container.getSecurityContext().getAllowPrivilegeEscalation());
        assertTrue(container.getSecurityContext().getReadOnlyRootFilesystem());
        assertTrue(container.getSecurityContext().getRunAsNonRoot());
        assertEquals(List.of("ALL"), container.getSecurityContext().getCapabilities().getDrop());
    }

    @Test
    void environmentTellsTheWorkerWhereToDialAndTakesTheTokenFromTheSecret() {
        Container container = container(new WorkerJobFactory(settings(null)).job(JOB_ID, 3, PLAIN));
        Map<String, EnvVar> env = container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));

        assertEquals("anneal-gateway.ml.svc:9091", env.get("ANNEAL_GATEWAY_ADDRESS").getValue());
        assertEquals(JOB_ID, env.get("ANNEAL_JOB_ID").getValue());
        assertEquals("3", env.get("ANNEAL_ATTEMPT").getValue());
        assertEquals("/data", env.get("ANNEAL_DATA_DIR").getValue());
        EnvVar token = env.get("ANNEAL_JOB_TOKEN");
        assertNull(token.getValue(), "the token never appears in the pod spec");
        assertEquals("anneal-" + JOB_ID + "-3-token", token.getValueFrom().getSecretKeyRef().getName());
        assertEquals("token", token.getValueFrom().getSecretKeyRef().getKey());
        assertFalse(token.getValueFrom().getSecretKeyRef().getOptional());
    }

    @Test
    void kueueQueueLabelsTheJobAndCreatesItSuspended() {
        Job job = new WorkerJobFactory(settings("team-a")).job(JOB_ID, 1, PLAIN);
        assertEquals("team-a", job.getMetadata().getLabels().get("kueue.x-k8s.io/queue-name"));
        assertTrue(job.getSpec().getSuspend());
    }

    @Test
    void secretHoldsTheTokenAndIsOwnedByTheAttemptsJob() {
        WorkerJobFactory factory = new WorkerJobFactory(settings(null));
        Job job = factory.job(JOB_ID, 2, PLAIN);
        job.getMetadata().setUid("5a1f0c8e-uid");
        Secret secret = factory.secret(JOB_ID, 2, "s3cret", job);

        assertEquals("anneal-" + JOB_ID + "-2-token", secret.getMetadata().getName());
        assertEquals("ml", secret.getMetadata().getNamespace());
        assertEquals(JOB_ID, secret.getMetadata().getLabels().get("anneal.dev/job-id"));
        assertEquals(Map.of("token", "s3cret"), secret.getStringData());
        assertTrue(secret.getImmutable());
        var owner = secret.getMetadata().getOwnerReferences().get(0);
        assertEquals("batch/v1", owner.getApiVersion());
        assertEquals("Job", owner.getKind());
        assertEquals(job.getMetadata().getName(), owner.getName());
        assertEquals("5a1f0c8e-uid", owner.getUid());
    }

    @Test
    void settingsNameTheKeyThatIsMissingOrWrong() {
        var missing = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings("ml", "", "Always",
                null, "c", "g:1", 0, null, null, Map.of(), List.of(), null, null, Duration.ofMinutes(1), 60, 0));
        assertTrue(missing.getMessage().startsWith("anneal.kubernetes.worker-image:"), missing.getMessage());
        var policy = assertThrows(IllegalArgumentException.class, () -> new KubernetesSettings("ml", "w", "Sometimes",
                null, "c", "g:1", 0, null, null, Map.of(), List.of(), null, null, Duration.ofMinutes(1), 60, 0));
        assertTrue(policy.getMessage().startsWith("anneal.kubernetes.worker-image-pull-policy:"), policy.getMessage());
        var selector = assertThrows(IllegalArgumentException.class,
                () -> KubernetesSettings.parseNodeSelector("[\"a\"]"));
        assertTrue(selector.getMessage().startsWith("anneal.kubernetes.node-selector:"), selector.getMessage());
        assertEquals(Map.of("a", "b"), KubernetesSettings.parseNodeSelector("{\"a\":\"b\"}"));
        assertEquals(List.of(GPU_TAINT), KubernetesSettings.parseTolerations(
                "[{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]"));
    }

    private static Container container(Job job) {
        List<Container> containers = job.getSpec().getTemplate().getSpec().getContainers();
        assertEquals(1, containers.size());
        return containers.get(0);
    }
}
