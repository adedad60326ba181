package dev.anneal.gateway.kubernetes;

import dev.anneal.api.v1.Resources;
import dev.anneal.api.v1.TrainRequest;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Builds the Kubernetes objects of one attempt of a job: a {@code batch/v1} Job running one worker pod,
 * and the Secret holding the attempt's token. Pure: no API calls, so every field is unit-tested.
 */
public final class WorkerJobFactory {
    public static final String CONTAINER = "worker";
    public static final String DATA_VOLUME = "data";
    public static final String TMP_VOLUME = "tmp";
    public static final String GPU_RESOURCE = "nvidia.com/gpu";

    private final KubernetesSettings settings;

    public WorkerJobFactory(KubernetesSettings settings) {
        this.settings = settings;
    }

    /** The Job of attempt {@code attempt} of {@code jobId}. The gateway owns retries: one pod, never restarted. */
    public Job job(String jobId, int attempt, TrainRequest request) {
        Resources resources = request.getResources();
        Map<String, String> labels = new LinkedHashMap<>(WorkerLabels.of(jobId, attempt));
        boolean queued = settings.kueueQueue() != null && !settings.kueueQueue().isBlank();
        if (queued) {
            labels.put(WorkerLabels.KUEUE_QUEUE, settings.kueueQueue());
        }
        Map<String, String> nodeSelector = new LinkedHashMap<>(settings.nodeSelector());
        nodeSelector.putAll(resources.getNodeSelectorMap());
        List<Toleration> tolerations = new ArrayList<>(settings.tolerations());
        for (dev.anneal.api.v1.Toleration t : resources.getTolerationsList()) {
            tolerations.add(new TolerationBuilder().withKey(emptyToNull(t.getKey()))
                    .withOperator(emptyToNull(t.getOperator())).withValue(emptyToNull(t.getValue()))
                    .withEffect(emptyToNull(t.getEffect())).build());
        }
        return new JobBuilder()
                .withNewMetadata()
                    .withName(WorkerLabels.jobName(jobId, attempt))
                    .withNamespace(settings.namespace())
                    .withLabels(labels)
                .endMetadata()
                .withNewSpec()
                    .withBackoffLimit(0)
                    .withCompletions(1)
                    .withParallelism(1)
                    .withActiveDeadlineSeconds(resources.getTimeoutSeconds() > 0 ? resources.getTimeoutSeconds() : null)
                    .withTtlSecondsAfterFinished(settings.ttlSecondsAfterFinished())
                    .withSuspend(queued ? Boolean.TRUE : null)
                    .withNewTemplate()
                        .withNewMetadata().withLabels(labels).endMetadata()
                        .withNewSpec()
                            .withRestartPolicy("Never")
                            .withServiceAccountName(emptyToNull(settings.serviceAccount()))
                            .withAutomountServiceAccountToken(false)
                            .withPriorityClassName(emptyToNull(settings.priorityClass()))
                            .withNodeSelector(nodeSelector.isEmpty() ? null : nodeSelector)
                            .withTolerations(tolerations)
                            .withNewSecurityContext()
                                .withRunAsNonRoot(true)
                                .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                            .endSecurityContext()
                            .withContainers(container(jobId, attempt, resources))
                            .addNewVolume()
                                .withName(DATA_VOLUME)
                                .withNewPersistentVolumeClaim().withClaimName(settings.pvcClaim()).endPersistentVolumeClaim()
                            .endVolume()
                            .addNewVolume()
                                .withName(TMP_VOLUME)
                                .withNewEmptyDir().endEmptyDir()
                            .endVolume()
                        .endSpec()
                    .endTemplate()
                .endSpec()
                .build();
    }

    private Container container(String jobId, int attempt, Resources resources) {
        int gpus = resources.getGpus() > 0 ? resources.getGpus() : settings.defaultGpus();
        String cpu = !resources.getCpu().isBlank() ? resources.getCpu() : settings.defaultCpu();
        String memory = !resources.getMemory().isBlank() ? resources.getMemory() : settings.defaultMemory();
        Map<String, Quantity> limits = new HashMap<>();
        Map<String, Quantity> requests = new HashMap<>();
        if (gpus > 0) {
            limits.put(GPU_RESOURCE, new Quantity(Integer.toString(gpus)));
        }
        if (cpu != null && !cpu.isBlank()) {
            limits.put("cpu", new Quantity(cpu));
            requests.put("cpu", new Quantity(cpu));
        }
        if (memory != null && !memory.isBlank()) {
            limits.put("memory", new Quantity(memory));
            requests.put("memory", new Quantity(memory));
        }
        return new ContainerBuilder()
                .withName(CONTAINER)
                .withImage(settings.workerImage())
                .withImagePullPolicy(settings.imagePullPolicy())
                .withEnv(environment(jobId, attempt))
                .withResources(new ResourceRequirementsBuilder().withLimits(limits).withRequests(requests).build())
                .addNewVolumeMount().withName(DATA_VOLUME).withMountPath(KubernetesSettings.DATA_MOUNT).endVolumeMount()
                // The root filesystem is read-only; the JVM's and DJL's scratch files go here.
                .addNewVolumeMount().withName(TMP_VOLUME).withMountPath("/tmp").endVolumeMount()
                .withNewSecurityContext()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withNewCapabilities().withDrop("ALL").endCapabilities()
                .endSecurityContext()
                .build();
    }

    private List<EnvVar> environment(String jobId, int attempt) {
        return List.of(
                env("ANNEAL_GATEWAY_ADDRESS", settings.gatewayAddress()),
                env("ANNEAL_JOB_ID", jobId),
                env("ANNEAL_ATTEMPT", Integer.toString(attempt)),
                new EnvVarBuilder().withName("ANNEAL_JOB_TOKEN").withNewValueFrom().withNewSecretKeyRef()
                        .withName(WorkerLabels.secretName(jobId, attempt)).withKey(WorkerLabels.TOKEN_KEY)
                        .withOptional(false).endSecretKeyRef().endValueFrom().build(),
                env("ANNEAL_DATA_DIR", KubernetesSettings.DATA_MOUNT));
    }

    /**
     * The attempt's token, owned by its Job so Kubernetes deletes it with the Job (TTL or cancel).
     *
     * @param owner the created Job (its uid is set by the API server)
     */
    public Secret secret(String jobId, int attempt, String token, Job owner) {
        return new SecretBuilder()
                .withNewMetadata()
                    .withName(WorkerLabels.secretName(jobId, attempt))
                    .withNamespace(settings.namespace())
                    .withLabels(WorkerLabels.of(jobId, attempt))
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                            .withController(false).withBlockOwnerDeletion(false).build())
                .endMetadata()
                .withType("Opaque")
                .withImmutable(true)
                .withStringData(Map.of(WorkerLabels.TOKEN_KEY, token))
                .build();
    }

    private static EnvVar env(String name, String value) {
        return new EnvVarBuilder().withName(name).withValue(value).build();
    }

    private static String emptyToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
