package dev.anneal.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** helm template, parsed by fabric8 into typed objects and checked field by field. */
class ChartRenderTest {

    private static final String NS = AnnealChart.NAMESPACE;
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every key the kubernetes scheduler reads from its environment. */
    private static final Set<String> KUBERNETES_KEYS = Set.of(
            "ANNEAL_KUBERNETES_NAMESPACE",
            "ANNEAL_KUBERNETES_WORKER_IMAGE",
            "ANNEAL_KUBERNETES_WORKER_IMAGE_PULL_POLICY",
            "ANNEAL_KUBERNETES_WORKER_SERVICE_ACCOUNT",
            "ANNEAL_KUBERNETES_PVC_CLAIM",
            "ANNEAL_KUBERNETES_GATEWAY_ADDRESS",
            "ANNEAL_KUBERNETES_DEFAULT_GPUS",
            "ANNEAL_KUBERNETES_DEFAULT_CPU",
            "ANNEAL_KUBERNETES_DEFAULT_MEMORY",
            "ANNEAL_KUBERNETES_DEFAULT_MAX_RETRIES",
            "ANNEAL_KUBERNETES_NODE_SELECTOR",
            "ANNEAL_KUBERNETES_TOLERATIONS",
            "ANNEAL_KUBERNETES_PRIORITY_CLASS",
            "ANNEAL_KUBERNETES_KUEUE_QUEUE",
            "ANNEAL_KUBERNETES_PENDING_TIMEOUT",
            "ANNEAL_KUBERNETES_TTL_SECONDS_AFTER_FINISHED");

    @Test
    void rendersOneOfEachKindAndNothingClusterWide() {
        Manifests manifests = AnnealChart.render();

        Map<String, Long> kinds = manifests.all().stream()
                .collect(Collectors.groupingBy(o -> o.getKind(), Collectors.counting()));
        assertEquals(Map.of(
                "ServiceAccount", 2L,
                "Role", 1L,
                "RoleBinding", 1L,
                "PersistentVolumeClaim", 1L,
                "ConfigMap", 1L,
                "Service", 1L,
                "Deployment", 1L), kinds, manifests.describe());
        manifests.all().forEach(o -> assertEquals(NS, o.getMetadata().getNamespace(),
                () -> o.getKind() + "/" + o.getMetadata().getName() + " is not in the release namespace"));
    }

    @Test
    void gatewayRoleGrantsExactlyWhatTheSchedulerDoes() {
        Manifests manifests = AnnealChart.render();
        Role role = manifests.one(Role.class);

        assertEquals("Role", role.getKind());
        assertEquals(NS, role.getMetadata().getNamespace());
        Map<String, Set<String>> grants = role.getRules().stream()
                .flatMap(rule -> resourceKeys(rule).stream().map(key -> Map.entry(key, Set.copyOf(rule.getVerbs()))))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
        assertEquals(Map.of(
                "batch/jobs", Set.of("create", "get", "list", "watch", "delete", "patch"),
                "/pods", Set.of("get", "list", "watch"),
                "/pods/log", Set.of("get"),
                "/secrets", Set.of("create", "get", "delete"),
                "/events", Set.of("get", "list", "watch")), grants);
        role.getRules().forEach(rule -> {
            assertTrue(rule.getResourceNames() == null || rule.getResourceNames().isEmpty(), "no resourceNames");
            assertTrue(rule.getNonResourceURLs() == null || rule.getNonResourceURLs().isEmpty(), "no non-resource URLs");
            assertFalse(rule.getVerbs().contains("*"), "no wildcard verbs");
        });

        RoleBinding binding = manifests.one(RoleBinding.class);
        assertEquals("Role", binding.getRoleRef().getKind());
        assertEquals(role.getMetadata().getName(), binding.getRoleRef().getName());
        Subject subject = binding.getSubjects().get(0);
        assertEquals(1, binding.getSubjects().size());
        assertEquals("ServiceAccount", subject.getKind());
        assertEquals("anneal-gateway", subject.getName());
        assertEquals(NS, subject.getNamespace());
    }

    @Test
    void workerServiceAccountHasNoTokenAndNoRbac() {
        Manifests manifests = AnnealChart.render();
        ServiceAccount worker = manifests.named(ServiceAccount.class, "anneal-worker");

        assertEquals(Boolean.FALSE, worker.getAutomountServiceAccountToken());
        manifests.ofType(RoleBinding.class).forEach(binding -> binding.getSubjects().forEach(subject ->
                assertFalse(subject.getName().equals("anneal-worker"), "the worker account is bound by " + binding.getMetadata().getName())));
        assertTrue(manifests.ofKind("ClusterRoleBinding").isEmpty());
        assertEquals("anneal-worker", configData(manifests).get("ANNEAL_KUBERNETES_WORKER_SERVICE_ACCOUNT"));
    }

    @Test
    void gatewayDeploymentProbesGrpcHealthAndRunsRestricted() {
        Manifests manifests = AnnealChart.render();
        Deployment deployment = manifests.one(Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container gateway = pod.getContainers().get(0);

        assertEquals(1, deployment.getSpec().getReplicas());
        assertEquals("Recreate", deployment.getSpec().getStrategy().getType(), "one writer of the event logs at a time");
        Map<String, String> selector = deployment.getSpec().getSelector().getMatchLabels();
        assertTrue(deployment.getSpec().getTemplate().getMetadata().getLabels().entrySet().containsAll(selector.entrySet()));
        assertEquals("anneal-gateway", pod.getServiceAccountName());
        assertEquals(Boolean.TRUE, pod.getAutomountServiceAccountToken());
        assertEquals("ghcr.io/anneal-dev/anneal-gateway:0.1.0", gateway.getImage());

        Map<String, Integer> ports = gateway.getPorts().stream()
                .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
        assertEquals(Map.of("grpc", 9090, "worker", 9091, "http", 8080), ports);
        for (Probe probe : List.of(gateway.getStartupProbe(), gateway.getLivenessProbe(), gateway.getReadinessProbe())) {
            assertNotNull(probe.getGrpc(), "probes use gRPC health");
            assertEquals(9090, probe.getGrpc().getPort());
            assertNull(probe.getHttpGet());
            assertNull(probe.getExec());
            assertNull(probe.getTcpSocket());
        }

        PodSecurityContext podSecurity = pod.getSecurityContext();
        assertEquals(Boolean.TRUE, podSecurity.getRunAsNonRoot());
        assertEquals(10001L, podSecurity.getRunAsUser());
        assertEquals(10001L, podSecurity.getFsGroup());
        assertEquals("RuntimeDefault", podSecurity.getSeccompProfile().getType());
        SecurityContext security = gateway.getSecurityContext();
        assertEquals(Boolean.TRUE, security.getRunAsNonRoot());
        assertEquals(Boolean.FALSE, security.getAllowPrivilegeEscalation());
        assertEquals(Boolean.TRUE, security.getReadOnlyRootFilesystem());
        assertEquals(List.of("ALL"), security.getCapabilities().getDrop());
        assertTrue(security.getCapabilities().getAdd() == null || security.getCapabilities().getAdd().isEmpty());
        assertNull(security.getPrivileged());
        assertEquals("RuntimeDefault", security.getSeccompProfile().getType());

        Map<String, String> mounts = gateway.getVolumeMounts().stream()
                .collect(Collectors.toMap(VolumeMount::getMountPath, VolumeMount::getName));
        Map<String, Volume> volumes = pod.getVolumes().stream().collect(Collectors.toMap(Volume::getName, Function.identity()));
        assertNotNull(volumes.get(mounts.get("/tmp")).getEmptyDir(), "/tmp is an emptyDir");
        assertEquals("anneal-store", volumes.get(mounts.get("/data")).getPersistentVolumeClaim().getClaimName());
        assertEquals("anneal-gateway", gateway.getEnvFrom().get(0).getConfigMapRef().getName());
    }

    @Test
    void serviceExposesApiWorkerAndMetricsPorts() {
        Service service = AnnealChart.render().one(Service.class);

        Map<String, ServicePort> ports = service.getSpec().getPorts().stream()
                .collect(Collectors.toMap(ServicePort::getName, Function.identity()));
        assertEquals(Set.of("grpc", "worker", "http"), ports.keySet());
        assertEquals(9090, ports.get("grpc").getPort());
        assertEquals(9091, ports.get("worker").getPort());
        assertEquals(8080, ports.get("http").getPort());
        assertEquals("grpc", ports.get("worker").getAppProtocol());
        assertEquals("worker", ports.get("worker").getTargetPort().getStrVal());
        assertEquals("gateway", service.getSpec().getSelector().get("app.kubernetes.io/component"));
    }

    @Test
    void configMapCarriesTheSchedulerSettings() {
        Manifests manifests = AnnealChart.render();
        Map<String, String> data = configData(manifests);

        assertTrue(data.keySet().containsAll(KUBERNETES_KEYS), () -> "missing " + KUBERNETES_KEYS.stream()
                .filter(k -> !data.containsKey(k)).collect(Collectors.toList()));
        assertEquals("kubernetes", data.get("ANNEAL_SCHEDULER"));
        assertEquals("/data", data.get("ANNEAL_DATA_DIR"));
        assertEquals("9090", data.get("QUARKUS_GRPC_SERVER_PORT"));
        assertEquals("9091", data.get("ANNEAL_WORKER_SERVICE_PORT"));
        assertEquals(NS, data.get("ANNEAL_KUBERNETES_NAMESPACE"));
        assertEquals("ghcr.io/anneal-dev/anneal-worker:0.1.0", data.get("ANNEAL_KUBERNETES_WORKER_IMAGE"));
        assertEquals("IfNotPresent", data.get("ANNEAL_KUBERNETES_WORKER_IMAGE_PULL_POLICY"));
        Service service = manifests.one(Service.class);
        assertEquals(service.getMetadata().getName() + "." + NS + ".svc:9091", data.get("ANNEAL_KUBERNETES_GATEWAY_ADDRESS"),
                "workers dial the Service's worker port");
        assertEquals(manifests.one(PersistentVolumeClaim.class).getMetadata().getName(), data.get("ANNEAL_KUBERNETES_PVC_CLAIM"));
        assertEquals("0", data.get("ANNEAL_KUBERNETES_DEFAULT_GPUS"));
        assertEquals("{}", data.get("ANNEAL_KUBERNETES_NODE_SELECTOR"));
        assertEquals("[]", data.get("ANNEAL_KUBERNETES_TOLERATIONS"));
        assertEquals("10m", data.get("ANNEAL_KUBERNETES_PENDING_TIMEOUT"));
        assertEquals("3600", data.get("ANNEAL_KUBERNETES_TTL_SECONDS_AFTER_FINISHED"));
        assertEquals("3", data.get("ANNEAL_KUBERNETES_DEFAULT_MAX_RETRIES"));
        assertEquals("", data.get("ANNEAL_KUBERNETES_DEFAULT_CPU"), "empty: Quarkus treats it as unset");
    }

    @Test
    void gpuExampleRendersGpuWorkerDefaults() throws Exception {
        Map<String, String> data = configData(AnnealChart.render(AnnealChart.gpuValues()));

        assertEquals("1", data.get("ANNEAL_KUBERNETES_DEFAULT_GPUS"));
        assertEquals("8", data.get("ANNEAL_KUBERNETES_DEFAULT_CPU"));
        assertEquals("48Gi", data.get("ANNEAL_KUBERNETES_DEFAULT_MEMORY"));
        assertEquals(Map.of("nvidia.com/gpu.present", "true"),
                JSON.readValue(data.get("ANNEAL_KUBERNETES_NODE_SELECTOR"), new TypeReference<Map<String, String>>() {}));
        List<Toleration> tolerations = JSON.readValue(data.get("ANNEAL_KUBERNETES_TOLERATIONS"), new TypeReference<List<Toleration>>() {});
        assertEquals(1, tolerations.size());
        assertEquals("nvidia.com/gpu", tolerations.get(0).getKey());
        assertEquals("Exists", tolerations.get(0).getOperator());
        assertEquals("NoSchedule", tolerations.get(0).getEffect());
        assertEquals("anneal-training", data.get("ANNEAL_KUBERNETES_PRIORITY_CLASS"));
        assertEquals("30m", data.get("ANNEAL_KUBERNETES_PENDING_TIMEOUT"));
    }

    @Test
    void storeClaimIsCreatedAndKeptOnUninstall() {
        PersistentVolumeClaim claim = AnnealChart.render(AnnealChart.gpuValues()).one(PersistentVolumeClaim.class);

        assertEquals("anneal-store", claim.getMetadata().getName());
        assertEquals("keep", claim.getMetadata().getAnnotations().get("helm.sh/resource-policy"));
        assertEquals(List.of("ReadWriteMany"), claim.getSpec().getAccessModes());
        assertEquals("500Gi", claim.getSpec().getResources().getRequests().get("storage").toString());
        assertEquals("shared-rwx", claim.getSpec().getStorageClassName());
    }

    @Test
    void existingClaimIsMountedInsteadOfANewOne() {
        Manifests manifests = AnnealChart.render(Map.of("storage.existingClaim", "team-models"));

        assertTrue(manifests.ofType(PersistentVolumeClaim.class).isEmpty(), manifests.describe());
        PodSpec pod = manifests.one(Deployment.class).getSpec().getTemplate().getSpec();
        assertEquals("team-models", pod.getVolumes().stream()
                .filter(v -> v.getPersistentVolumeClaim() != null).findFirst().orElseThrow()
                .getPersistentVolumeClaim().getClaimName());
        assertEquals("team-models", configData(manifests).get("ANNEAL_KUBERNETES_PVC_CLAIM"));
    }

    @Test
    void serviceMonitorIsOptionalAndScrapesMetrics() {
        assertTrue(AnnealChart.render().ofKind("ServiceMonitor").isEmpty());

        Manifests manifests = AnnealChart.render(Map.of("metrics.serviceMonitor.enabled", true));
        GenericKubernetesResource monitor = (GenericKubernetesResource) manifests.ofKind("ServiceMonitor").get(0);
        assertEquals(NS, monitor.getMetadata().getNamespace());
        Map<String, Object> endpoint = monitor.get("spec", "endpoints", 0);
        assertEquals("http", endpoint.get("port"));
        assertEquals("/q/metrics", endpoint.get("path"));
    }

    @Test
    void imagesFollowRegistryTagAndDigestOverrides() {
        Manifests manifests = AnnealChart.render(Map.of(
                "defaultImageRegistry", "registry.example.com",
                "defaultImageTag", "1.2.3",
                "worker.image.digest", "sha256:" + "a".repeat(64)));

        assertEquals("registry.example.com/anneal-dev/anneal-gateway:1.2.3",
                manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getContainers().get(0).getImage());
        assertEquals("registry.example.com/anneal-dev/anneal-worker@sha256:" + "a".repeat(64),
                configData(manifests).get("ANNEAL_KUBERNETES_WORKER_IMAGE"));
    }

    @Test
    void localSchedulerNeedsNoApiToken() {
        Manifests manifests = AnnealChart.render(Map.of("gateway.scheduler", "local"));

        assertEquals(Boolean.FALSE, manifests.one(Deployment.class).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken());
        assertEquals("local", configData(manifests).get("ANNEAL_SCHEDULER"));
    }

    private static Map<String, String> configData(Manifests manifests) {
        ConfigMap config = manifests.one(ConfigMap.class);
        return config.getData();
    }

    /** "group/resource" for each resource a rule names. */
    private static List<String> resourceKeys(PolicyRule rule) {
        return rule.getApiGroups().stream()
                .flatMap(group -> rule.getResources().stream().map(resource -> group + "/" + resource))
                .collect(Collectors.toList());
    }
}
