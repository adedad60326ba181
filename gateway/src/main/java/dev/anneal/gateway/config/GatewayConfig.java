package dev.anneal.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** The gateway's own settings, under {@code anneal.*}. */
@ConfigMapping(prefix = "anneal")
public interface GatewayConfig {

    /** Root of everything the gateway stores: {@code jobs/<job-id>/} (events.log, model/, checkpoints/). */
    @WithDefault("anneal-data")
    Path dataDir();

    /** {@code local} runs jobs in the gateway's JVM; {@code kubernetes} runs each attempt as a batch Job. */
    @WithDefault("local")
    String scheduler();

    /** A Hugging Face cache-layout directory ({@code models--org--name/...}) for hub ids in {@code base}. */
    Optional<Path> modelCache();

    Local local();

    EventLog eventLog();

    Stream stream();

    Kubernetes kubernetes();

    WorkerService workerService();

    Datasets datasets();

    /** Uploaded data sets ({@code <data-dir>/datasets}). */
    interface Datasets {
        /** The largest data set an upload may store; a larger one is refused with RESOURCE_EXHAUSTED. */
        @WithDefault("10G")
        io.quarkus.runtime.configuration.MemorySize maxSize();

        /** An upload whose client sends nothing for this long is dropped (DEADLINE_EXCEEDED), its bytes removed. */
        @WithDefault("5m")
        java.time.Duration idleTimeout();
    }

    /** The kubernetes scheduler ({@code anneal.scheduler=kubernetes}); see KubernetesSettings. */
    interface Kubernetes {
        /** Where worker Jobs go; default: the namespace the gateway runs in. */
        Optional<String> namespace();

        Optional<String> workerImage();

        @WithDefault("IfNotPresent")
        String workerImagePullPolicy();

        Optional<String> workerServiceAccount();

        /** The shared store's claim, mounted at /data in workers and holding the gateway's data-dir. */
        Optional<String> pvcClaim();

        /** host:port workers dial: the gateway's worker service as the cluster sees it. */
        Optional<String> gatewayAddress();

        @WithDefault("0")
        int defaultGpus();

        Optional<String> defaultCpu();

        Optional<String> defaultMemory();

        /** A JSON object, e.g. {"nvidia.com/gpu.present":"true"}. */
        @WithDefault("{}")
        String nodeSelector();

        /** A JSON array of Kubernetes tolerations. */
        @WithDefault("[]")
        String tolerations();

        Optional<String> priorityClass();

        /** A Kueue LocalQueue: worker Jobs get its label and start suspended. */
        Optional<String> kueueQueue();

        /** How long an attempt may wait for its worker to connect before the job FAILS. */
        @WithDefault("10m")
        java.time.Duration pendingTimeout();

        @WithDefault("3600")
        int ttlSecondsAfterFinished();

        /** Retries after a lost worker when the request's resources.max_retries is 0. */
        @WithDefault("3")
        int defaultMaxRetries();

        /** The API server; default: in-cluster service account or ~/.kube/config. */
        Optional<String> masterUrl();
    }

    /** The internal worker gRPC server (kubernetes scheduler only). */
    interface WorkerService {
        @WithDefault("9091")
        int port();
    }

    /** The local scheduler. */
    interface Local {
        /** Jobs that run at the same time. */
        @WithDefault("1")
        int concurrency();

        /** Jobs that may wait for a free slot; one more is refused with RESOURCE_EXHAUSTED. */
        @WithDefault("16")
        int queueSize();
    }

    /** Train and Watch streams. */
    interface Stream {
        /**
         * Bytes a stream may have queued in gRPC for a client that has not read them before the gateway stops
         * sending to it (grpc-java's on-ready threshold); everything else waits in the job's event log.
         */
        @WithDefault("32768")
        int bufferBytes();
    }

    /** The per-job event journals. */
    interface EventLog {
        /** Force every event to the disk before it is sent to clients. */
        @WithDefault("true")
        boolean fsync();
    }
}
