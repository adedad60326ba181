package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.client.AnnealClient;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.gateway.Events;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data set uploaded to a gateway that schedules on Kubernetes is read by the worker pod from the shared
 * volume: the fabric8 mock API server in CRUD mode, {@link ProcessKubelet} running the pod as a real worker JVM
 * whose /data is the gateway's data directory. Takes 10-40 s (worker JVM start-up dominates).
 */
class DatasetPodsTest {
    private static final String NAMESPACE = "anneal-test";
    private static final Path BERT = Path.of(System.getProperty("anneal.fixtures.dir", "../fixtures"))
            .resolve("hf/generated/bert/BertForSequenceClassification").toAbsolutePath().normalize();

    @TempDir
    Path dataDir;
    @TempDir
    Path clientDir;

    @Test
    void aWorkerPodTrainsOnAnUploadedDataSet() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        int workerPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            workerPort = socket.getLocalPort();
        }
        KubernetesSettings settings = new KubernetesSettings(NAMESPACE, "anneal/worker:test", "IfNotPresent",
                "anneal-worker", "anneal-data", "127.0.0.1:" + workerPort, 0, null, null, Map.of(), List.of(), null,
                null, Duration.ofMinutes(5), 60, 0);
        try (NamespacedKubernetesClient client = server.createClient();
                ProcessKubelet kubelet = new ProcessKubelet(client, NAMESPACE, Map.of("kubernetes.io/hostname", "n1"),
                        dataDir, Path.of("target", "kubelet-logs")).start();
                ClusterGateway gateway = new ClusterGateway(client, settings, dataDir, workerPort)) {
            StringBuilder rows = new StringBuilder();
            for (int i = 0; i < 25; i++) {
                rows.append("{\"text\": \"Dogs\", \"label\": 0}\n{\"text\": \"cat\", \"label\": 1}\n");
            }
            Path file = Files.writeString(clientDir.resolve("animals.jsonl"), rows);
            DatasetInfo info = AnnealClient.builder().setChannel(gateway.channel).optUploadChunkBytes(300).build()
                    .uploadDataset(file);
            assertTrue(Files.isRegularFile(dataDir.resolve("datasets").resolve(info.getDatasetId())
                    .resolve("data.jsonl")), "stored on the volume the pods mount");

            TrainRequest request = TrainRequest.newBuilder().setBase(BERT.toString())
                    .setTrain(Dataset.newBuilder().setDatasetId(info.getDatasetId()))
                    .setArgs(TrainingArguments.newBuilder().setMaxSteps(3).setLoggingSteps(1).setSeed(42))
                    .build();
            List<TrainEvent> events = Events.readAll(gateway.train.train(request));
            TrainEvent last = events.get(events.size() - 1);
            assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.toString());
            assertEquals(1, kubelet.podsStarted().size(), "the run happened in a worker pod");
            assertEquals(3, events.stream().filter(TrainEvent::hasProgress).count());
        } finally {
            server.destroy();
        }
    }
}
