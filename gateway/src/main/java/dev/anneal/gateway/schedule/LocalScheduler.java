package dev.anneal.gateway.schedule;

import dev.anneal.gateway.job.JobRecord;
import dev.anneal.worker.run.RunEnvironment;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Runs jobs in the gateway's JVM on a fixed number of threads with a bounded queue in front of them:
 * {@code concurrency} jobs run at once, {@code queueSize} more wait, and a job beyond that is refused
 * rather than queued without limit.
 */
public final class LocalScheduler implements Scheduler {
    private static final Logger LOG = Logger.getLogger(LocalScheduler.class);

    private final ThreadPoolExecutor executor;
    private final JobExecution execution;
    private final Path jobsRoot;
    private final Path modelCache;
    private final Map<String, Runnable> queuedTasks = new ConcurrentHashMap<>();
    private final Map<String, JobRecord> runningJobs = new ConcurrentHashMap<>();

    /**
     * @param modelCache Hugging Face cache-layout directory for hub ids, or null
     */
    public LocalScheduler(int concurrency, int queueSize, JobExecution execution, Path jobsRoot, Path modelCache) {
        if (concurrency < 1) {
            throw new IllegalArgumentException("anneal.local.concurrency: must be at least 1, was " + concurrency);
        }
        if (queueSize < 1) {
            throw new IllegalArgumentException("anneal.local.queue-size: must be at least 1, was " + queueSize);
        }
        this.execution = execution;
        this.jobsRoot = jobsRoot;
        this.modelCache = modelCache;
        this.executor = new ThreadPoolExecutor(concurrency, concurrency, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(queueSize), jobThreads(), new ThreadPoolExecutor.AbortPolicy());
    }

    @Override
    public void submit(JobRecord job) {
        Runnable task = () -> runJob(job);
        queuedTasks.put(job.id(), task);
        try {
            executor.execute(task);
        } catch (RejectedExecutionException full) {
            queuedTasks.remove(job.id());
            throw new QueueFullException("the local scheduler's queue is full (" + executor.getQueue().size()
                    + " jobs waiting, " + runningJobs.size() + " running); try again later");
        }
    }

    private void runJob(JobRecord job) {
        queuedTasks.remove(job.id());
        if (!job.start()) {
            return;
        }
        runningJobs.put(job.id(), job);
        LOG.infof("job %s started", job.id());
        try {
            RunEnvironment environment = new RunEnvironment(job.directory(), jobsRoot, modelCache);
            var state = execution.run(job.request(), environment, job::append, job.cancellation());
            LOG.infof("job %s ended %s", job.id(), state);
        } catch (RuntimeException | Error unexpected) {
            LOG.errorf(unexpected, "job %s: the run ended without reporting its end", job.id());
        } finally {
            runningJobs.remove(job.id());
            job.failIfRunning("INTERNAL", "the run ended without reporting its end");
        }
    }

    @Override
    public void cancel(JobRecord job) {
        if (job.cancelIfQueued()) {
            Runnable task = queuedTasks.remove(job.id());
            if (task != null) {
                executor.remove(task);
            }
            LOG.infof("job %s cancelled while queued", job.id());
        } else if (!job.ended()) {
            job.cancellation().request();
            LOG.infof("job %s: cancellation requested", job.id());
        }
    }

    @Override
    public int queued() {
        return executor.getQueue().size();
    }

    @Override
    public int running() {
        return runningJobs.size();
    }

    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        executor.shutdown();
        for (Runnable task : executor.getQueue()) {
            executor.remove(task);
        }
        queuedTasks.clear();
        for (JobRecord job : runningJobs.values()) {
            job.cancellation().request();
        }
        try {
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                LOG.warn("jobs still running 30 s after shutdown was requested");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory jobThreads() {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread thread = new Thread(runnable, "anneal-job-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
