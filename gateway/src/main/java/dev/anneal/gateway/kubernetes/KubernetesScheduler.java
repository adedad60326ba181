package dev.anneal.gateway.kubernetes;

import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Retrying;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.schedule.Scheduler;
import dev.anneal.gateway.workerlink.WorkerChannel;
import dev.anneal.gateway.workerlink.WorkerLinkService;
import dev.anneal.gateway.workerlink.WorkerServer;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs each job as Kubernetes {@code batch/v1} Jobs, one per attempt, whose pods run the worker
 * ({@code dev.anneal.worker.main.WorkerMain}) and stream events back through the worker service.
 *
 * <p>Level-triggered like an operator: informers on the gateway's Jobs and Pods, a periodic tick and every
 * submit or cancel only enqueue "look at job X again"; one thread {@link #reconcile reconciles} a job at a
 * time by comparing what its event log says (attempt, created, worker connected) with what the cluster
 * shows ({@link AttemptStatus}). A lost pod is retried from the latest checkpoint up to the job's retry
 * limit; a job that ended is never touched again, whatever happens to its Kubernetes objects.
 */
public final class KubernetesScheduler implements Scheduler {
    private static final Logger LOG = Logger.getLogger(KubernetesScheduler.class);
    /** Waiting reasons that are ordinary progress, not worth an event. */
    private static final Set<String> ORDINARY_WAITING = Set.of("no pod created yet", "the pod is pending",
            "ContainerCreating", "PodInitializing");

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final WorkerJobFactory factory;
    private final JobStore store;
    private final int workerPort;
    private final Duration tick;
    private final Clock clock;
    private final Map<String, AttemptState> tracked = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "anneal-kubernetes");
        thread.setDaemon(true);
        return thread;
    });
    private SharedIndexInformer<Job> jobs;
    private SharedIndexInformer<Pod> pods;
    private WorkerServer workerServer;
    private boolean ownsClient;

    /**
     * @param workerPort the worker service's port ({@code anneal.worker-service.port}); 0 picks a free one
     * @param tick       how often every unfinished job is looked at even without a cluster change
     */
    public KubernetesScheduler(KubernetesClient client, KubernetesSettings settings, JobStore store, int workerPort,
            Duration tick, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.factory = new WorkerJobFactory(settings);
        this.store = store;
        this.workerPort = workerPort;
        this.tick = tick;
        this.clock = clock;
    }

    /** Starts the worker service, syncs the informers, and re-adopts every unfinished job of the store. */
    public KubernetesScheduler start() {
        WorkerSessions sessions = new WorkerSessions(store, tracked, this::secretToken, store.jobsRoot().getParent());
        workerServer = WorkerServer.start(workerPort, new WorkerLinkService(sessions));
        ResourceEventHandler<HasMetadata> changed = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata object) {
                enqueue(object);
            }

            @Override
            public void onUpdate(HasMetadata before, HasMetadata after) {
                enqueue(after);
            }

            @Override
            public void onDelete(HasMetadata object, boolean finalStateUnknown) {
                enqueue(object);
            }
        };
        jobs = client.batch().v1().jobs().inNamespace(settings.namespace())
                .withLabel(WorkerLabels.MANAGED_BY, WorkerLabels.MANAGER).inform(cast(changed));
        pods = client.pods().inNamespace(settings.namespace())
                .withLabel(WorkerLabels.MANAGED_BY, WorkerLabels.MANAGER).inform(cast(changed));
        adoptUnfinished();
        loop.scheduleWithFixedDelay(() -> tracked.keySet().forEach(this::reconcileSafely), tick.toMillis(),
                tick.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    /** Closes the client with the scheduler (when the scheduler built it). */
    KubernetesScheduler owningClient() {
        ownsClient = true;
        return this;
    }

    /** The worker service's bound port. */
    public int workerPort() {
        return workerServer.port();
    }

    private void adoptUnfinished() {
        Instant now = clock.instant();
        for (JobRecord job : store.all()) {
            if (job.ended()) {
                continue;
            }
            AttemptState state = AttemptState.fromLog(job, now);
            tracked.put(job.id(), state);
            LOG.infof("job %s: re-adopted at attempt %d (%s)", job.id(), state.attempt,
                    state.bound ? "worker had connected" : state.created ? "Job created" : "not yet created");
            enqueue(job.id());
        }
    }

    @Override
    public void submit(JobRecord job) {
        tracked.put(job.id(), AttemptState.fromLog(job, clock.instant()));
        enqueue(job.id());
    }

    @Override
    public void cancel(JobRecord job) {
        AttemptState state = tracked.get(job.id());
        WorkerChannel channel;
        int attempt;
        synchronized (job) {
            if (job.ended()) {
                return;
            }
            if (job.cancelIfQueued()) {
                LOG.infof("job %s cancelled before its worker Job was created", job.id());
                return;
            }
            job.cancellation().request();
            job.append(TrainEvent.newBuilder().setFinished(Finished.newBuilder().setState(JobState.CANCELLED)).build());
            channel = state == null ? null : state.channel;
            attempt = state == null ? 1 : state.attempt;
        }
        if (channel != null) {
            channel.cancel();
        }
        deleteJob(job.id(), attempt);
        LOG.infof("job %s cancelled; deleted its worker Job", job.id());
        enqueue(job.id());
    }

    /**
     * Asks a running job's worker to save a checkpoint after its current step (worker protocol checkpoint_now).
     *
     * @return false when no worker of the job is connected
     */
    public boolean checkpointNow(JobRecord job) {
        AttemptState state = tracked.get(job.id());
        WorkerChannel channel;
        synchronized (job) {
            channel = state == null || job.ended() ? null : state.channel;
        }
        if (channel == null) {
            return false;
        }
        channel.checkpointNow();
        return true;
    }

    @Override
    public int queued() {
        return (int) tracked.values().stream().filter(state -> !state.bound).count();
    }

    @Override
    public int running() {
        return (int) tracked.values().stream().filter(state -> state.bound).count();
    }

    /** Stops watching and serving workers. Running workers go on and reconnect to the next gateway. */
    @Override
    public void close() {
        if (loop.isShutdown()) {
            return;
        }
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (workerServer != null) {
            workerServer.close();
        }
        if (jobs != null) {
            jobs.close();
        }
        if (pods != null) {
            pods.close();
        }
        if (ownsClient) {
            client.close();
        }
    }

    private void enqueue(HasMetadata object) {
        String jobId = object.getMetadata().getLabels() == null ? null
                : object.getMetadata().getLabels().get(WorkerLabels.JOB_ID);
        if (jobId != null) {
            enqueue(jobId);
        }
    }

    private void enqueue(String jobId) {
        if (!loop.isShutdown()) {
            try {
                loop.execute(() -> reconcileSafely(jobId));
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the scheduler is closing
            }
        }
    }

    private void reconcileSafely(String jobId) {
        try {
            reconcile(jobId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "job %s: reconciling failed; trying again on the next tick", jobId);
        }
    }

    /** Brings one job one step closer to its end. Runs only on the scheduler's thread. */
    void reconcile(String jobId) {
        AttemptState state = tracked.get(jobId);
        if (state == null) {
            return;
        }
        JobRecord job = state.job;
        if (job.ended()) {
            tracked.remove(jobId);
            return;
        }
        if (!state.created) {
            createAttempt(state);
            return;
        }
        int attempt;
        synchronized (job) {
            attempt = state.attempt;
        }
        String name = WorkerLabels.jobName(jobId, attempt);
        Job kubernetesJob = jobs.getStore().getByKey(settings.namespace() + "/" + name);
        List<Pod> attemptPods = pods.getStore().list().stream()
                .filter(pod -> labelled(pod, jobId, attempt)).toList();
        if (kubernetesJob != null) {
            state.expectJob = true;
        } else if (state.expectJob) {
            lost(state, attempt, new AttemptStatus.Lost("the Kubernetes Job " + name + " was deleted before the job ended",
                    true, "UNAVAILABLE"));
            return;
        }
        AttemptStatus status = AttemptStatus.of(kubernetesJob, attemptPods);
        if (status instanceof AttemptStatus.Lost lost) {
            lost(state, attempt, lost);
        } else if (status instanceof AttemptStatus.Completed) {
            if (job.failIfRunning("INTERNAL", "the worker of attempt " + attempt
                    + " exited 0 without reporting the job's end")) {
                LOG.warnf("job %s: worker completed without reporting its end", jobId);
            }
        } else if (status instanceof AttemptStatus.Waiting waiting) {
            waiting(state, attempt, waiting.reason());
        } else {
            waiting(state, attempt, "the pod is running but its worker has not connected to "
                    + settings.gatewayAddress());
        }
    }

    /** An attempt whose worker has not connected yet: report why, and give up after the pending timeout. */
    private void waiting(AttemptState state, int attempt, String reason) {
        JobRecord job = state.job;
        boolean timedOut;
        synchronized (job) {
            if (state.bound || state.attempt != attempt || job.ended()) {
                return;
            }
            if (!reason.equals(state.lastWaitingReason)) {
                state.lastWaitingReason = reason;
                if (!ORDINARY_WAITING.contains(reason)) {
                    job.append(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.WARNING)
                            .setMessage("attempt " + attempt + " is waiting for its pod: " + reason)).build());
                }
            }
            Duration waited = Duration.between(state.scheduledAt, clock.instant());
            timedOut = waited.compareTo(settings.pendingTimeout()) > 0;
            if (timedOut) {
                job.failIfRunning("UNAVAILABLE", "the worker of attempt " + attempt + " did not start within "
                        + settings.pendingTimeout().toSeconds() + " s: " + reason);
            }
        }
        if (timedOut) {
            LOG.warnf("job %s: attempt %d pending too long (%s); FAILED", job.id(), attempt, reason);
            deleteJob(job.id(), attempt);
        }
    }

    /** An attempt that ended without reporting the job's end: retry from the latest checkpoint, or fail. */
    private void lost(AttemptState state, int attempt, AttemptStatus.Lost lost) {
        JobRecord job = state.job;
        WorkerChannel stale;
        synchronized (job) {
            if (job.ended() || state.attempt != attempt) {
                return;
            }
            stale = state.channel;
            int maxRetries = job.request().getResources().getMaxRetries() > 0
                    ? job.request().getResources().getMaxRetries() : settings.defaultMaxRetries();
            if (lost.retryable() && attempt - 1 < maxRetries) {
                long step = WorkerSessions.newestCheckpointStep(job);
                job.append(TrainEvent.newBuilder().setRetrying(Retrying.newBuilder().setAttempt(attempt + 1)
                        .setReason(lost.reason()).setResumedFromStep(step)).build());
                state.nextAttempt();
                LOG.infof("job %s: attempt %d lost (%s); retrying from step %d", job.id(), attempt, lost.reason(), step);
            } else {
                String message = lost.retryable()
                        ? lost.reason() + " (attempt " + attempt + "; no retries left of " + maxRetries + ")"
                        : lost.reason();
                job.failIfRunning(lost.code(), message);
                LOG.infof("job %s: attempt %d lost (%s); FAILED", job.id(), attempt, lost.reason());
            }
        }
        if (stale != null) {
            stale.cancel();
        }
        if (lost.podMayRun()) {
            deleteJob(job.id(), attempt);
        }
        enqueue(job.id());
    }

    /** Creates the attempt's Job, then its token Secret owned by the Job, then records SCHEDULED. */
    private void createAttempt(AttemptState state) {
        JobRecord job = state.job;
        int attempt;
        synchronized (job) {
            attempt = state.attempt;
        }
        String token = newToken();
        Job created;
        boolean adopted = false;
        try {
            created = client.batch().v1().jobs().inNamespace(settings.namespace())
                    .resource(factory.job(job.id(), attempt, job.request())).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                // Created before a gateway restart that came before the SCHEDULED event: adopt it.
                created = client.batch().v1().jobs().inNamespace(settings.namespace())
                        .withName(WorkerLabels.jobName(job.id(), attempt)).get();
                adopted = true;
            } else if (e.getCode() >= 400 && e.getCode() < 500) {
                job.failIfRunning("FAILED_PRECONDITION", "cannot create the worker Job: " + e.getMessage());
                return;
            } else {
                LOG.warnf("job %s: cannot create the worker Job yet (%s); trying again", job.id(), e.getMessage());
                return;
            }
        }
        if (created == null) {
            return;
        }
        try {
            client.secrets().inNamespace(settings.namespace())
                    .resource(factory.secret(job.id(), attempt, token, created)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                LOG.warnf("job %s: cannot create the token Secret (%s); trying again", job.id(), e.getMessage());
                deleteJob(job.id(), attempt);
                return;
            }
            token = null; // an earlier Secret holds the token; read it when the worker says hello
        }
        boolean ended;
        synchronized (job) {
            ended = job.ended();
            if (!ended) {
                if (job.state() == JobState.PENDING) {
                    double queued = Math.max(0, (clock.millis()
                            - com.google.protobuf.util.Timestamps.toMillis(job.snapshot().getCreated())) / 1000.0);
                    job.append(TrainEvent.newBuilder().setStageFinished(StageFinished.newBuilder()
                            .setStage(Stage.QUEUED).setDurationSeconds(queued)).build());
                }
                job.append(TrainEvent.newBuilder().setStageStarted(StageStarted.newBuilder().setStage(Stage.SCHEDULED))
                        .build());
                state.created = true;
                state.scheduledAt = clock.instant();
                state.token = token;
            }
        }
        if (ended) {
            deleteJob(job.id(), attempt);
            return;
        }
        LOG.infof("job %s: %s worker Job %s", job.id(), adopted ? "adopted" : "created",
                created.getMetadata().getName());
    }

    private void deleteJob(String jobId, int attempt) {
        try {
            client.batch().v1().jobs().inNamespace(settings.namespace()).withName(WorkerLabels.jobName(jobId, attempt))
                    .withPropagationPolicy(DeletionPropagation.BACKGROUND).delete();
        } catch (KubernetesClientException e) {
            LOG.warnf("job %s: cannot delete its worker Job: %s", jobId, e.getMessage());
        }
    }

    /** The token in an attempt's Secret, or null when there is no such Secret. */
    private String secretToken(String jobId, int attempt) {
        Secret secret = client.secrets().inNamespace(settings.namespace())
                .withName(WorkerLabels.secretName(jobId, attempt)).get();
        if (secret == null) {
            return null;
        }
        if (secret.getData() != null && secret.getData().containsKey(WorkerLabels.TOKEN_KEY)) {
            return new String(Base64.getDecoder().decode(secret.getData().get(WorkerLabels.TOKEN_KEY)),
                    StandardCharsets.UTF_8);
        }
        return secret.getStringData() == null ? null : secret.getStringData().get(WorkerLabels.TOKEN_KEY);
    }

    private String newToken() {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static boolean labelled(HasMetadata object, String jobId, int attempt) {
        Map<String, String> labels = object.getMetadata().getLabels();
        return labels != null && jobId.equals(labels.get(WorkerLabels.JOB_ID))
                && Integer.toString(attempt).equals(labels.get(WorkerLabels.ATTEMPT));
    }

    @SuppressWarnings("unchecked")
    private static <T extends HasMetadata> ResourceEventHandler<T> cast(ResourceEventHandler<HasMetadata> handler) {
        return (ResourceEventHandler<T>) (ResourceEventHandler<?>) handler;
    }
}
