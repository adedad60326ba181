package dev.anneal.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Resources;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.gateway.config.GatewayConfig;
import dev.anneal.gateway.kubernetes.KubernetesSettings;
import dev.anneal.gateway.kubernetes.WorkerJobFactory;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The worker Job the gateway would create when configured by the chart: the rendered ConfigMap is read as
 * environment variables through the gateway's own config mapping, and the scheduler's WorkerJobFactory builds the
 * Job; the Job must fit the objects the chart rendered (worker account, claim, Service port) and the worker image.
 */
class WorkerJobFromChartTest {

    @Test
    void defaultWorkerJobUsesTheChartsAccountClaimImageAndWorkerPort() {
        Manifests manifests = AnnealChart.render();
        Job job = workerJob(manifests, TrainRequest.getDefaultInstance());
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container worker = pod.getContainers().get(0);

        assertEquals(AnnealChart.NAMESPACE, job.getMetadata().getNamespace());
        ServiceAccount account = manifests.named(ServiceAccount.class, pod.getServiceAccountName());
        assertEquals(Boolean.FALSE, account.getAutomountServiceAccountToken());
        assertEquals(Boolean.FALSE, pod.getAutomountServiceAccountToken());
        assertEquals("ghcr.io/anneal-dev/anneal-worker:0.1.0", worker.getImage());
        assertEquals("IfNotPresent", worker.getImagePullPolicy());

        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
        Map<String, String> mounts = worker.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        assertEquals(manifests.one(PersistentVolumeClaim.class).getMetadata().getName(),
                volumes.get(mounts.get("/data")).getPersistentVolumeClaim().getClaimName());
        // The image's launcher unpacks DJL's JNI library into /tmp/djl under a read-only root filesystem.
        assertEquals(Boolean.TRUE, worker.getSecurityContext().getReadOnlyRootFilesystem());
        assertNotNull(mounts.get("/tmp"), "worker pods need a writable /tmp");
        assertNotNull(volumes.get(mounts.get("/tmp")).getEmptyDir());

        Map<String, String> env = worker.getEnv().stream().filter(e -> e.getValue() != null)
                .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
        Service service = manifests.one(Service.class);
        ServicePort workerPort = service.getSpec().getPorts().stream()
                .filter(p -> p.getName().equals("worker")).findFirst().orElseThrow();
        assertEquals(service.getMetadata().getName() + "." + AnnealChart.NAMESPACE + ".svc:" + workerPort.getPort(),
                env.get("ANNEAL_GATEWAY_ADDRESS"));
        assertEquals("/data", env.get("ANNEAL_DATA_DIR"));
        assertTrue(worker.getResources().getLimits().isEmpty(), "no GPU, cpu or memory by default");
        assertEquals(3600, job.getSpec().getTtlSecondsAfterFinished());
    }

    @Test
    void gpuExampleGivesWorkersAGpuOnGpuNodes() {
        Manifests manifests = AnnealChart.render(AnnealChart.gpuValues());
        Job job = workerJob(manifests, TrainRequest.getDefaultInstance());
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Map<String, Quantity> limits = pod.getContainers().get(0).getResources().getLimits();

        assertEquals(new Quantity("1"), limits.get("nvidia.com/gpu"));
        assertEquals(new Quantity("8"), limits.get("cpu"));
        assertEquals(new Quantity("48Gi"), limits.get("memory"));
        assertEquals("true", pod.getNodeSelector().get("nvidia.com/gpu.present"));
        assertEquals("nvidia.com/gpu", pod.getTolerations().get(0).getKey());
        assertEquals("NoSchedule", pod.getTolerations().get(0).getEffect());
        assertEquals("anneal-training", pod.getPriorityClassName());
    }

    /** Every ConfigMap entry reaches the scheduler under the name the gateway's config mapping reads. */
    @Test
    void schedulerSettingsReadEveryValueTheChartSets() {
        GatewayConfig gateway = gatewayConfig(AnnealChart.render(AnnealChart.gpuValues()).one(ConfigMap.class));
        assertEquals("kubernetes", gateway.scheduler());
        assertEquals(Path.of("/data"), gateway.dataDir());
        assertEquals(9091, gateway.workerService().port(), "the gateway listens where the Service sends workers");
        KubernetesSettings settings = settings(gateway);

        assertEquals(AnnealChart.NAMESPACE, settings.namespace());
        assertEquals("ghcr.io/anneal-dev/anneal-worker:0.1.0", settings.workerImage());
        assertEquals("IfNotPresent", settings.imagePullPolicy());
        assertEquals("anneal-worker", settings.serviceAccount());
        assertEquals("anneal-store", settings.pvcClaim());
        assertEquals("anneal-gateway.training.svc:9091", settings.gatewayAddress());
        assertEquals(1, settings.defaultGpus());
        assertEquals("8", settings.defaultCpu());
        assertEquals("48Gi", settings.defaultMemory());
        assertEquals(Map.of("nvidia.com/gpu.present", "true"), settings.nodeSelector());
        assertEquals("Exists", settings.tolerations().get(0).getOperator());
        assertEquals("anneal-training", settings.priorityClass());
        assertEquals(null, settings.kueueQueue(), "an empty value is unset");
        assertEquals(Duration.ofMinutes(30), settings.pendingTimeout());
        assertEquals(3600, settings.ttlSecondsAfterFinished());
        assertEquals(3, settings.defaultMaxRetries());
    }

    @Test
    void requestResourcesOverrideTheChartsDefaults() {
        TrainRequest request = TrainRequest.newBuilder()
                .setResources(Resources.newBuilder().setGpus(4).setMemory("200Gi").putNodeSelector("pool", "a100"))
                .build();
        PodSpec pod = workerJob(AnnealChart.render(AnnealChart.gpuValues()), request).getSpec().getTemplate().getSpec();

        Map<String, Quantity> limits = pod.getContainers().get(0).getResources().getLimits();
        assertEquals(new Quantity("4"), limits.get("nvidia.com/gpu"));
        assertEquals(new Quantity("200Gi"), limits.get("memory"));
        assertEquals(Map.of("nvidia.com/gpu.present", "true", "pool", "a100"), pod.getNodeSelector());
    }

    @Test
    void kueueQueueFromTheChartSuspendsTheJob() {
        Job job = workerJob(AnnealChart.render(Map.of("worker.kueueQueue", "team-a")), TrainRequest.getDefaultInstance());

        assertEquals("team-a", job.getMetadata().getLabels().get("kueue.x-k8s.io/queue-name"));
        assertEquals(Boolean.TRUE, job.getSpec().getSuspend());
    }

    private static Job workerJob(Manifests manifests, TrainRequest request) {
        return new WorkerJobFactory(settings(gatewayConfig(manifests.one(ConfigMap.class)))).job("j0chart", 1, request);
    }

    /** The ConfigMap as the gateway container's environment, through the gateway's @ConfigMapping and Quarkus' converters. */
    private static GatewayConfig gatewayConfig(ConfigMap configMap) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new EnvConfigSource(configMap.getData(), 300))
                .withConverter(Duration.class, 200, new DurationConverter())
                .withConverter(Path.class, 200, new PathConverter())
                .withConverter(MemorySize.class, 200, new MemorySizeConverter())
                .withMapping(GatewayConfig.class)
                .withValidateUnknown(false)
                .build();
        return config.getConfigMapping(GatewayConfig.class);
    }

    /** As KubernetesSchedulers.create builds them, minus the API client (the namespace comes from the ConfigMap). */
    private static KubernetesSettings settings(GatewayConfig config) {
        GatewayConfig.Kubernetes k = config.kubernetes();
        return new KubernetesSettings(k.namespace().orElseThrow(), k.workerImage().orElse(null),
                k.workerImagePullPolicy(), k.workerServiceAccount().orElse(null), k.pvcClaim().orElse(null),
                k.gatewayAddress().orElse(null), k.defaultGpus(), k.defaultCpu().orElse(null),
                k.defaultMemory().orElse(null), KubernetesSettings.parseNodeSelector(k.nodeSelector()),
                KubernetesSettings.parseTolerations(k.tolerations()), k.priorityClass().orElse(null),
                k.kueueQueue().orElse(null), k.pendingTimeout(), k.ttlSecondsAfterFinished(), k.defaultMaxRetries());
    }
}
