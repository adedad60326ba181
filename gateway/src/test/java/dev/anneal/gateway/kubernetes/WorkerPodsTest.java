package dev.anneal.gateway.kubernetes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Resources;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.api.v1.WatchRequest;
import dev.anneal.gateway.Events;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes scheduler against the fabric8 mock API server (CRUD mode) with {@link ProcessKubelet}
 * running each worker pod as a real worker JVM on this machine. Each test trains the tiny BERT fixture
 * for a few dozen steps and takes 10-45 s (worker JVM start-up dominates); the class takes about a
 * minute on an idle two-core machine, two to three when it is shared. Worker logs go to
 * target/kubelet-logs/.
 */
class WorkerPodsTest {
    private static final String NAMESPACE = "anneal-test";
    private static final Path BERT = Path.of(System.getProperty("anneal.fixtures.dir", "../fixtures"))
            .resolve("hf/generated/bert/BertModel").toAbsolutePath().normalize();

    @TempDir
    Path dataDir;
    private KubernetesMockServer server;
    private NamespacedKubernetesClient client;
    private ProcessKubelet kubelet;
    private ClusterGateway gateway;
    private int workerPort;

    @BeforeEach
    void startCluster() throws IOException {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        client = server.createClient();
        kubelet = new ProcessKubelet(client, NAMESPACE, Map.of("kubernetes.io/hostname", "test-node"), dataDir,
                Path.of("target", "kubelet-logs")).start();
        workerPort = freePort();
        gateway = startGateway(Duration.ofMinutes(5));
    }

    @AfterEach
    void stopCluster() throws InterruptedException {
        if (gateway != null) {
            gateway.close();
        }
        kubelet.close();
        client.close();
        server.destroy();
    }

    private ClusterGateway startGateway(Duration pendingTimeout) throws IOException {
        KubernetesSettings settings = new KubernetesSettings(NAMESPACE, "anneal/worker:test", "IfNotPresent",
                "anneal-worker", "anneal-data", "127.0.0.1:" + workerPort, 0, null, null, Map.of(), List.of(), null,
                null, pendingTimeout, 60, 2);
        return new ClusterGateway(client, settings, dataDir, workerPort);
    }

    @Test
    void jobRunsInAWorkerPodAndStreamsBackAndADeletedJobNeverRestarts() throws Exception {
        TrainRequest request = request(8);
        List<TrainEvent> events = Events.readAll(gateway.train.train(request));

        Events.assertContiguous(events, 1);
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.toString());
        String jobId = events.get(0).getJobId();
        assertEquals(List.of("anneal-" + jobId + "-1-x7k2p"), kubelet.podsStarted());
        List<dev.anneal.api.v1.Stage> stages = Events.startedStages(events);
        assertEquals(List.of(dev.anneal.api.v1.Stage.QUEUED, dev.anneal.api.v1.Stage.SCHEDULED), stages.subList(0, 2));
        assertEquals(Events.PIPELINE, stages.subList(2, stages.size()));
        assertEquals(8, events.stream().filter(TrainEvent::hasProgress).count());
        Path model = dataDir.resolve("jobs").resolve(jobId).resolve("model");
        assertEquals(model.toString(), last.getFinished().getModelLocation());
        assertTrue(Files.isRegularFile(model.resolve("model.safetensors")));
        assertEquals(events, gateway.store.find(jobId).orElseThrow().events().after(0));

        // The Job vanishes (TTL, or someone deletes it): the job stays SUCCEEDED and nothing starts again.
        client.batch().v1().jobs().inNamespace(NAMESPACE).withLabel(WorkerLabels.JOB_ID, jobId).delete();
        client.pods().inNamespace(NAMESPACE).withLabel(WorkerLabels.JOB_ID, jobId).delete();
        Thread.sleep(1500);
        assertTrue(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().isEmpty());
        Job job = gateway.train.getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
        assertEquals(JobState.SUCCEEDED, job.getState());
        assertEquals(events.size(), job.getLastSequence());
        assertEquals(1, kubelet.podsStarted().size());
    }

    @Test
    void killedWorkerIsRetriedFromItsLatestCheckpointToTheSameModel() throws Exception {
        TrainRequest request = request(24);
        Path reference = dataDir.resolve("reference");
        Cancellation never = new Cancellation();
        assertEquals(JobState.SUCCEEDED, JobRunner.run(request, new RunEnvironment(reference, dataDir, null),
                event -> { }, never));

        AtomicBoolean killed = new AtomicBoolean();
        Iterator<TrainEvent> stream = gateway.train.train(request);
        TrainEvent first = stream.next();
        JobRecord job = gateway.store.find(first.getJobId()).orElseThrow();
        job.events().follow(() -> {
            TrainEvent newest = job.events().get(job.events().lastSequence());
            if (newest.hasCheckpointSaved() && newest.getCheckpointSaved().getGlobalStep() >= 3
                    && killed.compareAndSet(false, true)) {
                assertTrue(kubelet.kill(job.id(), "OOMKilled"));
            }
        });
        List<TrainEvent> events = new ArrayList<>(List.of(first));
        stream.forEachRemaining(events::add);

        assertTrue(killed.get());
        Events.assertContiguous(events, 1);
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.toString());
        List<TrainEvent> retries = events.stream().filter(TrainEvent::hasRetrying).toList();
        assertEquals(1, retries.size(), retries.toString());
        var retrying = retries.get(0).getRetrying();
        assertEquals(2, retrying.getAttempt());
        assertTrue(retrying.getReason().contains("OOMKilled"), retrying.getReason());
        assertTrue(retrying.getResumedFromStep() >= 3 && retrying.getResumedFromStep() < 24, retrying.toString());
        long resumed = retrying.getResumedFromStep();
        assertTrue(events.stream().anyMatch(e -> e.hasLog() && e.getLog().getMessage().contains("resuming from")
                && e.getLog().getMessage().contains("checkpoint-" + resumed)), "no resume log for step " + resumed);
        // After the retry, training goes on from the checkpoint's step: steps resumed+1 .. 24 exactly once.
        int retryAt = events.indexOf(retries.get(0));
        List<Long> stepsAfter = events.subList(retryAt, events.size()).stream().filter(TrainEvent::hasProgress)
                .map(e -> e.getProgress().getGlobalStep()).toList();
        assertEquals(resumed + 1, stepsAfter.get(0));
        assertEquals(24, stepsAfter.get(stepsAfter.size() - 1));
        assertEquals(24 - resumed, stepsAfter.size());
        assertEquals(2, kubelet.podsStarted().size());
        assertArrayEquals(Files.readAllBytes(reference.resolve("model/model.safetensors")),
                Files.readAllBytes(dataDir.resolve("jobs").resolve(job.id()).resolve("model/model.safetensors")),
                "the resumed model differs from an uninterrupted run's");
    }

    @Test
    void gatewayRestartMidJobLosesNoEventAndDuplicatesNone() throws Exception {
        Iterator<TrainEvent> stream = gateway.train.train(request(24));
        List<TrainEvent> before = new ArrayList<>();
        while (stream.hasNext()) {
            TrainEvent event = stream.next();
            before.add(event);
            if (event.hasProgress() && event.getProgress().getGlobalStep() >= 2) {
                break;
            }
        }
        String jobId = before.get(0).getJobId();
        gateway.close();
        gateway = null;
        Thread.sleep(1000); // the worker trains on, buffering its events, and keeps dialling
        gateway = startGateway(Duration.ofMinutes(5));

        long seen = before.get(before.size() - 1).getSequence();
        List<TrainEvent> after = Events.readAll(gateway.train.watch(WatchRequest.newBuilder().setJobId(jobId)
                .setAfterSequence(seen).build()));

        Events.assertContiguous(before, 1);
        Events.assertContiguous(after, seen + 1);
        TrainEvent last = after.get(after.size() - 1);
        assertEquals(JobState.SUCCEEDED, last.getFinished().getState(), last.toString());
        List<TrainEvent> all = new ArrayList<>(before);
        all.addAll(after);
        assertEquals(gateway.store.find(jobId).orElseThrow().events().after(0), all);
        List<Long> steps = all.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getGlobalStep())
                .toList();
        assertEquals(java.util.stream.LongStream.rangeClosed(1, 24).boxed().toList(), steps);
        assertFalse(all.stream().anyMatch(TrainEvent::hasRetrying), "the worker was not lost, only the gateway");
        assertEquals(1, kubelet.podsStarted().size());
    }

    @Test
    void podThatNeverSchedulesIsReportedAndFailsAfterThePendingTimeout() throws Exception {
        gateway.close();
        gateway = startGateway(Duration.ofSeconds(3));
        TrainRequest request = request(4).toBuilder().setResources(Resources.newBuilder()
                .putNodeSelector("nvidia.com/gpu.product", "A100")).build();

        List<TrainEvent> events = Events.readAll(gateway.train.train(request));

        Events.assertContiguous(events, 1);
        TrainEvent warning = events.stream().filter(TrainEvent::hasLog).findFirst().orElseThrow();
        assertTrue(warning.getLog().getMessage().contains("Unschedulable")
                && warning.getLog().getMessage().contains("didn't match Pod's node affinity/selector"), warning.toString());
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, last.getFinished().getState());
        assertEquals("UNAVAILABLE", last.getFinished().getError().getCode());
        assertTrue(last.getFinished().getError().getMessage().contains("did not start within 3 s")
                && last.getFinished().getError().getMessage().contains("Unschedulable"), last.toString());
        Thread.sleep(500);
        assertTrue(client.batch().v1().jobs().inNamespace(NAMESPACE).list().getItems().isEmpty(),
                "the unschedulable Job was not deleted");
        assertTrue(kubelet.podsStarted().isEmpty());
    }

    @Test
    void checkpointNowSavesOnDemandAndCancelDeletesTheWorkerJobAndEndsCancelled() throws Exception {
        TrainRequest request = request(100_000);
        request = request.toBuilder().setArgs(request.getArgs().toBuilder().setSaveSteps(1_000_000)).build();
        Iterator<TrainEvent> stream = gateway.train.train(request);
        List<TrainEvent> events = new ArrayList<>();
        while (stream.hasNext()) {
            TrainEvent event = stream.next();
            events.add(event);
            if (event.hasProgress()) {
                break;
            }
        }
        String jobId = events.get(0).getJobId();
        assertTrue(gateway.scheduler.checkpointNow(gateway.store.find(jobId).orElseThrow()));
        TrainEvent saved = null;
        while (saved == null && stream.hasNext()) {
            TrainEvent event = stream.next();
            events.add(event);
            saved = event.hasCheckpointSaved() ? event : null;
        }
        assertNotNull(saved, "no checkpoint after checkpoint_now");
        assertTrue(Files.isDirectory(Path.of(saved.getCheckpointSaved().getLocation())), saved.toString());

        Job cancelled = gateway.train.cancelJob(dev.anneal.api.v1.CancelJobRequest.newBuilder().setJobId(jobId).build());
        assertEquals(JobState.CANCELLED, cancelled.getState());
        stream.forEachRemaining(events::add);

        Events.assertContiguous(events, 1);
        assertEquals(JobState.CANCELLED, events.get(events.size() - 1).getFinished().getState());
        assertTrue(client.batch().v1().jobs().inNamespace(NAMESPACE).withLabel(WorkerLabels.JOB_ID, jobId).list()
                .getItems().isEmpty(), "the worker Job was not deleted");
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (kubelet.running() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0, kubelet.running(), "the worker process still runs");
        Thread.sleep(1000);
        assertEquals(1, kubelet.podsStarted().size(), "a cancelled job started again");
        assertEquals(events.size(), gateway.train.getJob(GetJobRequest.newBuilder().setJobId(jobId).build())
                .getLastSequence());
    }

    /** The tiny BERT fixture on txtai's rows, a checkpoint after every step. */
    private static TrainRequest request(int steps) {
        Rows.Builder rows = Rows.newBuilder();
        String[] texts = {"Dogs", "dog", "Cats", "cat"};
        for (int r = 0; r < 25; r++) {
            for (int i = 0; i < texts.length; i++) {
                rows.addRows(Struct.newBuilder()
                        .putFields("text", Value.newBuilder().setStringValue(texts[i]).build())
                        .putFields("label", Value.newBuilder().setNumberValue(i / 2).build()));
            }
        }
        assertNotNull(BERT);
        return TrainRequest.newBuilder()
                .setBase(BERT.toString())
                .setTrain(Dataset.newBuilder().setRows(rows))
                .setArgs(TrainingArguments.newBuilder().setMaxSteps(steps).setLearningRate(1e-3).setLoggingSteps(1)
                        .setSaveStrategy("steps").setSaveSteps(1).setSaveTotalLimit(2).setSeed(42))
                .build();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
