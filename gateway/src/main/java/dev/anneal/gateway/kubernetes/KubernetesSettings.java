package dev.anneal.gateway.kubernetes;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Toleration;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the kubernetes scheduler creates worker Jobs ({@code anneal.kubernetes.*}). Built from the
 * gateway's configuration, or directly in tests.
 *
 * @param namespace              where Jobs, Pods and Secrets live
 * @param workerImage            the worker container image
 * @param imagePullPolicy        Always, IfNotPresent or Never
 * @param serviceAccount         the workers' service account, or null for the namespace default
 * @param pvcClaim               the shared store's PersistentVolumeClaim, mounted at {@value #DATA_MOUNT}
 * @param gatewayAddress         host:port the workers dial (the gateway's worker service)
 * @param defaultGpus            nvidia.com/gpu limit when a request asks for none
 * @param defaultCpu             cpu request/limit when a request gives none, or null
 * @param defaultMemory          memory request/limit when a request gives none, or null
 * @param nodeSelector           merged under each request's node selector
 * @param tolerations            added before each request's tolerations
 * @param priorityClass          the pods' priority class, or null
 * @param kueueQueue             a Kueue LocalQueue: Jobs get its label and are created suspended; or null
 * @param pendingTimeout         how long an attempt may wait for its worker to connect before the job FAILS
 * @param ttlSecondsAfterFinished how long Kubernetes keeps a finished Job
 * @param defaultMaxRetries      retries of a lost worker when a request gives none
 */
public record KubernetesSettings(String namespace, String workerImage, String imagePullPolicy, String serviceAccount,
        String pvcClaim, String gatewayAddress, int defaultGpus, String defaultCpu, String defaultMemory,
        Map<String, String> nodeSelector, List<Toleration> tolerations, String priorityClass, String kueueQueue,
        Duration pendingTimeout, int ttlSecondsAfterFinished, int defaultMaxRetries) {

    /** Where the shared store is mounted in worker pods. */
    public static final String DATA_MOUNT = "/data";
    private static final ObjectMapper JSON = new ObjectMapper();

    public KubernetesSettings {
        require(namespace, "anneal.kubernetes.namespace");
        require(workerImage, "anneal.kubernetes.worker-image");
        require(pvcClaim, "anneal.kubernetes.pvc-claim");
        require(gatewayAddress, "anneal.kubernetes.gateway-address");
        if (!List.of("Always", "IfNotPresent", "Never").contains(imagePullPolicy)) {
            throw new IllegalArgumentException("anneal.kubernetes.worker-image-pull-policy: expected Always, "
                    + "IfNotPresent or Never, got \"" + imagePullPolicy + "\"");
        }
        if (defaultGpus < 0) {
            throw new IllegalArgumentException("anneal.kubernetes.default-gpus: must be >= 0, got " + defaultGpus);
        }
        if (defaultMaxRetries < 0) {
            throw new IllegalArgumentException("anneal.kubernetes.default-max-retries: must be >= 0, got "
                    + defaultMaxRetries);
        }
        if (pendingTimeout.isNegative() || pendingTimeout.isZero()) {
            throw new IllegalArgumentException("anneal.kubernetes.pending-timeout: must be positive, got "
                    + pendingTimeout);
        }
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
    }

    /** Parses {@code anneal.kubernetes.node-selector}: a JSON object of strings. */
    public static Map<String, String> parseNodeSelector(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {
            });
        } catch (Exception e) {
            throw new IllegalArgumentException("anneal.kubernetes.node-selector: expected a JSON object of strings, "
                    + "e.g. {\"nvidia.com/gpu.present\":\"true\"}: " + e.getMessage());
        }
    }

    /** Parses {@code anneal.kubernetes.tolerations}: a JSON array of Kubernetes tolerations. */
    public static List<Toleration> parseTolerations(String json) {
        try {
            return JSON.readValue(json, new TypeReference<List<Toleration>>() {
            });
        } catch (Exception e) {
            throw new IllegalArgumentException("anneal.kubernetes.tolerations: expected a JSON array of tolerations, "
                    + "e.g. [{\"key\":\"nvidia.com/gpu\",\"operator\":\"Exists\",\"effect\":\"NoSchedule\"}]: "
                    + e.getMessage());
        }
    }

    private static void require(String value, String key) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(key + ": is required when anneal.scheduler=kubernetes");
        }
    }
}
