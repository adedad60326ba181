package dev.anneal.gateway.kubernetes;

import dev.anneal.gateway.config.GatewayConfig;
import dev.anneal.gateway.job.JobStore;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import org.jboss.logging.Logger;

/** Builds the kubernetes scheduler and its client from the gateway's configuration. */
public final class KubernetesSchedulers {
    private static final Logger LOG = Logger.getLogger(KubernetesSchedulers.class);

    private KubernetesSchedulers() {
    }

    public static KubernetesScheduler create(GatewayConfig config, JobStore store) {
        GatewayConfig.Kubernetes k = config.kubernetes();
        Config clientConfig = Config.autoConfigure(null);
        if (k.masterUrl().isPresent()) {
            clientConfig = new ConfigBuilder(clientConfig).withMasterUrl(k.masterUrl().get()).build();
        }
        KubernetesClient client = new KubernetesClientBuilder().withConfig(clientConfig).build();
        String namespace = k.namespace().orElse(client.getNamespace());
        KubernetesSettings settings = new KubernetesSettings(namespace, k.workerImage().orElse(null),
                k.workerImagePullPolicy(), k.workerServiceAccount().orElse(null), k.pvcClaim().orElse(null),
                k.gatewayAddress().orElse(null), k.defaultGpus(), k.defaultCpu().orElse(null),
                k.defaultMemory().orElse(null), KubernetesSettings.parseNodeSelector(k.nodeSelector()),
                KubernetesSettings.parseTolerations(k.tolerations()), k.priorityClass().orElse(null),
                k.kueueQueue().orElse(null), k.pendingTimeout(), k.ttlSecondsAfterFinished(), k.defaultMaxRetries());
        LOG.infof("kubernetes scheduler: namespace %s, image %s, claim %s, workers dial %s", namespace,
                settings.workerImage(), settings.pvcClaim(), settings.gatewayAddress());
        return new KubernetesScheduler(client, settings, store, config.workerService().port(), Duration.ofSeconds(2),
                Clock.systemUTC()).owningClient().start();
    }
}
