package dev.anneal.gateway.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A stand-in for the Job controller and the kubelet of a one-node cluster, against the fabric8 mock API
 * server: for every worker Job the gateway creates it creates the pod, and runs the pod's container as a
 * real worker process on this machine (a separate JVM running {@code WorkerMain} with the pod's
 * environment, the token resolved from the Secret), reporting pod and Job status as Kubernetes would.
 * A pod whose node selector this node does not satisfy stays Pending, Unschedulable.
 */
final class ProcessKubelet implements AutoCloseable {
    private final KubernetesClient client;
    private final String namespace;
    private final Map<String, String> nodeLabels;
    /** The worker's data volume: what the PVC is on this machine. */
    private final Path dataDir;
    private final Path logDir;
    private final ExecutorService work = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "test-kubelet");
        thread.setDaemon(true);
        return thread;
    });
    private final Map<String, Process> processes = new ConcurrentHashMap<>();
    private final Map<String, String> killReasons = new ConcurrentHashMap<>();
    private final Map<String, Boolean> started = new ConcurrentHashMap<>();
    private final List<String> podsStarted = new ArrayList<>();
    private SharedIndexInformer<Job> informer;
    private volatile boolean closed;

    ProcessKubelet(KubernetesClient client, String namespace, Map<String, String> nodeLabels, Path dataDir, Path logDir) {
        this.client = client;
        this.namespace = namespace;
        this.nodeLabels = nodeLabels;
        this.dataDir = dataDir;
        this.logDir = logDir;
    }

    ProcessKubelet start() {
        informer = client.batch().v1().jobs().inNamespace(namespace).inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                considered(job);
            }

            @Override
            public void onUpdate(Job before, Job after) {
                considered(after);
            }

            @Override
            public void onDelete(Job job, boolean finalStateUnknown) {
                String name = job.getMetadata().getName();
                Process process = processes.remove(name);
                if (process != null) {
                    process.destroyForcibly();
                }
                client.pods().inNamespace(namespace).withLabel("job-name", name).delete();
            }
        });
        return this;
    }

    /** Kills the running worker of a job (SIGKILL) and reports the container terminated with {@code reason}. */
    boolean kill(String jobId, String reason) {
        for (Map.Entry<String, Process> entry : processes.entrySet()) {
            if (entry.getKey().startsWith("anneal-" + jobId + "-")) {
                killReasons.put(entry.getKey(), reason);
                entry.getValue().destroyForcibly();
                return true;
            }
        }
        return false;
    }

    /** Worker processes alive now. */
    long running() {
        return processes.values().stream().filter(Process::isAlive).count();
    }

    synchronized List<String> podsStarted() {
        return List.copyOf(podsStarted);
    }

    private void considered(Job job) {
        String name = job.getMetadata().getName();
        if (Boolean.TRUE.equals(job.getSpec().getSuspend()) || started.putIfAbsent(name, true) != null) {
            return;
        }
        work.execute(() -> {
            try {
                run(job);
            } catch (RuntimeException e) {
                if (!closed) {
                    throw e;
                }
            }
        });
    }

    private void run(Job job) {
        String name = job.getMetadata().getName();
        Map<String, String> labels = new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", name);
        Pod pod = client.pods().inNamespace(namespace).resource(new PodBuilder()
                .withNewMetadata().withName(name + "-x7k2p").withNamespace(namespace).withLabels(labels)
                    .withCreationTimestamp(Instant.now().toString())
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job")
                            .withName(name).withUid(job.getMetadata().getUid()).withController(true).build())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build()).create();
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector != null && !nodeLabels.entrySet().containsAll(selector.entrySet())) {
            status(pod, new PodStatusBuilder().withPhase("Pending").withConditions(new PodConditionBuilder()
                    .withType("PodScheduled").withStatus("False").withReason("Unschedulable")
                    .withMessage("0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector.")
                    .build()).build());
            return;
        }
        Container container = pod.getSpec().getContainers().get(0);
        status(pod, new PodStatusBuilder().withPhase("Pending").withContainerStatuses(new ContainerStatusBuilder()
                .withName(container.getName()).withState(new ContainerStateBuilder().withNewWaiting()
                        .withReason("ContainerCreating").endWaiting().build()).build()).build());
        Process process;
        try {
            process = launch(name, container);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        synchronized (this) {
            podsStarted.add(pod.getMetadata().getName());
        }
        processes.put(name, process);
        status(pod, new PodStatusBuilder().withPhase("Running").withContainerStatuses(new ContainerStatusBuilder()
                .withName(container.getName()).withState(new ContainerStateBuilder().withNewRunning()
                        .withStartedAt(Instant.now().toString()).endRunning().build()).build()).build());
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            return;
        }
        if (processes.remove(name) == null) {
            return; // the Job was deleted: the pod is gone with it
        }
        String reason = killReasons.getOrDefault(name, exit == 0 ? "Completed" : "Error");
        status(pod, new PodStatusBuilder().withPhase(exit == 0 ? "Succeeded" : "Failed")
                .withContainerStatuses(new ContainerStatusBuilder().withName(container.getName())
                        .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(exit)
                                .withReason(reason).withFinishedAt(Instant.now().toString()).endTerminated().build())
                        .build()).build());
        Job current = client.batch().v1().jobs().inNamespace(namespace).withName(name).get();
        if (current != null) {
            current.setStatus(new JobStatusBuilder().withConditions(new JobConditionBuilder()
                    .withType(exit == 0 ? "Complete" : "Failed").withStatus("True")
                    .withReason(exit == 0 ? null : "BackoffLimitExceeded").build())
                    .withSucceeded(exit == 0 ? 1 : 0).withFailed(exit == 0 ? 0 : 1).build());
            client.batch().v1().jobs().inNamespace(namespace).resource(current).updateStatus();
        }
    }

    private Process launch(String name, Container container) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (EnvVar var : container.getEnv()) {
            if (var.getValueFrom() != null && var.getValueFrom().getSecretKeyRef() != null) {
                env.put(var.getName(), secretValue(var.getValueFrom().getSecretKeyRef().getName(),
                        var.getValueFrom().getSecretKeyRef().getKey()));
            } else {
                env.put(var.getName(), var.getValue());
            }
        }
        // This node's "image": the volume at /data is the test's data directory.
        env.put("ANNEAL_DATA_DIR", dataDir.toString());
        String java = ProcessHandle.current().info().command().orElse("java");
        Files.createDirectories(logDir);
        Path logging = logDir.resolve("logging.properties");
        Files.writeString(logging, String.join("\n", "logger.level=INFO", "logger.handlers=CONSOLE",
                "handler.CONSOLE=org.jboss.logmanager.handlers.ConsoleHandler", "handler.CONSOLE.formatter=PATTERN",
                "formatter.PATTERN=org.jboss.logmanager.formatters.PatternFormatter",
                "formatter.PATTERN.properties=pattern", "formatter.PATTERN.pattern=%d{HH:mm:ss,SSS} %-5p [%c{1}] %s%e%n"));
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dai.djl.offline=true", "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "-Dlogging.configuration=" + logging.toAbsolutePath().toUri(),
                "-cp", System.getProperty("java.class.path"), "dev.anneal.worker.main.WorkerMain");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true).redirectOutput(logDir.resolve(name + ".log").toFile());
        return builder.start();
    }

    /** The kubelet waits for a Secret the pod needs (CreateContainerConfigError until then). */
    private String secretValue(String secretName, String key) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Secret secret = client.secrets().inNamespace(namespace).withName(secretName).get();
            if (secret != null) {
                if (secret.getData() != null && secret.getData().containsKey(key)) {
                    return new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
                }
                if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
                    return secret.getStringData().get(key);
                }
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new IllegalStateException("secret " + secretName + " with key " + key + " never appeared");
    }

    private void status(Pod pod, PodStatus status) {
        Pod current = client.pods().inNamespace(namespace).withName(pod.getMetadata().getName()).get();
        if (current == null) {
            return;
        }
        current.setStatus(status);
        client.pods().inNamespace(namespace).resource(current).updateStatus();
    }

    @Override
    public void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        work.shutdownNow();
    }
}
