package dev.anneal.gateway.job;

import com.google.protobuf.util.Timestamps;
import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Every job the gateway knows, each in {@code <jobs root>/<job id>/} with its event journal
 * ({@value #EVENTS_FILE}) next to what the run writes there (model/, checkpoints/). Opening the store
 * replays each journal; a job whose journal has no {@code finished} event was cut off by a gateway
 * stop and is ended FAILED, because the local scheduler cannot resume it.
 */
public final class JobStore implements AutoCloseable {
    public static final String EVENTS_FILE = "events.log";
    private static final Logger LOG = Logger.getLogger(JobStore.class);
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final char[] ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

    private final Path jobsRoot;
    private final JournalFactory journals;
    private final JobObserver observer;
    private final Clock clock;
    /** A scheduler that can resume runs (kubernetes) keeps unfinished jobs open; the local one cannot. */
    private final boolean keepUnfinished;
    private final SecureRandom random = new SecureRandom();
    /** In creation order: the newest job is last. */
    private final LinkedHashMap<String, JobRecord> jobs = new LinkedHashMap<>();
    private final Map<String, String> jobIdByIdempotencyKey = new HashMap<>();

    private JobStore(Path jobsRoot, JournalFactory journals, JobObserver observer, Clock clock,
            boolean keepUnfinished) {
        this.jobsRoot = jobsRoot;
        this.journals = journals;
        this.observer = observer;
        this.clock = clock;
        this.keepUnfinished = keepUnfinished;
    }

    /** Opens the store under {@code jobsRoot} with a durable file journal per job. */
    public static JobStore open(Path jobsRoot, boolean fsync, JobObserver observer, Clock clock) {
        return open(jobsRoot, dir -> FileEventJournal.open(dir.resolve(EVENTS_FILE), fsync), observer, clock);
    }

    public static JobStore open(Path jobsRoot, JournalFactory journals, JobObserver observer, Clock clock) {
        return open(jobsRoot, journals, observer, clock, false);
    }

    /**
     * Opens the store; with {@code keepUnfinished} a job whose journal has no {@code finished} event stays
     * as it was, for a scheduler that re-adopts runs still going elsewhere (the kubernetes one).
     */
    public static JobStore open(Path jobsRoot, JournalFactory journals, JobObserver observer, Clock clock,
            boolean keepUnfinished) {
        JobStore store = new JobStore(jobsRoot.toAbsolutePath(), journals, observer, clock, keepUnfinished);
        store.load();
        return store;
    }

    /** Opens the store with a durable file journal per job; see {@link #open(Path, JournalFactory, JobObserver, Clock, boolean)}. */
    public static JobStore open(Path jobsRoot, boolean fsync, JobObserver observer, Clock clock,
            boolean keepUnfinished) {
        return open(jobsRoot, dir -> FileEventJournal.open(dir.resolve(EVENTS_FILE), fsync), observer, clock,
                keepUnfinished);
    }

    private void load() {
        try {
            Files.createDirectories(jobsRoot);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the jobs directory " + jobsRoot, e);
        }
        List<JobRecord> loaded = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(jobsRoot)) {
            for (Path dir : (Iterable<Path>) dirs.filter(d -> Files.isRegularFile(d.resolve(EVENTS_FILE)))::iterator) {
                JobRecord job = reopen(dir);
                if (job != null) {
                    loaded.add(job);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + jobsRoot, e);
        }
        loaded.sort(Comparator.comparing((JobRecord job) -> Timestamps.toNanos(job.snapshot().getCreated()))
                .thenComparing(JobRecord::id));
        for (JobRecord job : loaded) {
            jobs.put(job.id(), job);
            String key = job.request().getIdempotencyKey();
            if (!key.isEmpty()) {
                jobIdByIdempotencyKey.put(key, job.id());
            }
        }
        if (!loaded.isEmpty()) {
            LOG.infof("opened %d jobs under %s", loaded.size(), jobsRoot);
        }
    }

    private JobRecord reopen(Path dir) {
        String id = dir.getFileName().toString();
        EventLog log = new EventLog(id, journals.open(dir), clock);
        TrainEvent first = log.get(1);
        if (first == null || !first.hasAccepted()) {
            LOG.warnf("ignoring %s: its journal does not start with an accepted event", dir);
            log.close();
            return null;
        }
        JobRecord job = new JobRecord(id, dir, log, observer);
        if (!keepUnfinished && job.failIfRunning("ABORTED", "the gateway stopped before the job ended; it was not resumed")) {
            LOG.infof("job %s was cut off by a gateway stop; marked FAILED", id);
        }
        return job;
    }

    /**
     * Creates a job for {@code request} and appends its first events ({@code accepted}, QUEUED started),
     * or returns the existing job when the request's idempotency key was used before with the same
     * request.
     *
     * @throws JobConflictException if the key was used with a different request
     */
    public synchronized Creation create(TrainRequest request) {
        String key = request.getIdempotencyKey();
        if (!key.isEmpty()) {
            JobRecord existing = jobs.get(jobIdByIdempotencyKey.get(key));
            if (existing != null) {
                if (!existing.request().equals(request)) {
                    throw new JobConflictException(key, existing.id());
                }
                return new Creation(existing, false);
            }
        }
        String id = newJobId();
        Path dir = jobsRoot.resolve(id);
        JobRecord job = new JobRecord(id, dir, new EventLog(id, journals.open(dir), clock), observer);
        job.append(TrainEvent.newBuilder().setAccepted(Accepted.newBuilder().setRequest(request)).build());
        job.append(JobRecord.stageStarted(Stage.QUEUED));
        jobs.put(id, job);
        if (!key.isEmpty()) {
            jobIdByIdempotencyKey.put(key, id);
        }
        return new Creation(job, true);
    }

    /** Forgets a job that was created but could not be scheduled, and deletes its directory. */
    public synchronized void discard(JobRecord job) {
        jobs.remove(job.id());
        jobIdByIdempotencyKey.values().remove(job.id());
        job.events().close();
        deleteTree(job.directory());
    }

    public synchronized Optional<JobRecord> find(String jobId) {
        return Optional.ofNullable(jobs.get(jobId));
    }

    /** Jobs whose labels include every entry of {@code labelSelector}, newest first, at most {@code limit}. */
    /**
     * Up to {@code limit} jobs whose labels include {@code labelSelector}, newest first, after the job
     * {@code afterJobId} (null for the first page); {@link JobPage#more} tells whether more match.
     *
     * @throws IllegalArgumentException if {@code afterJobId} is not a job of this store
     */
    public synchronized JobPage list(int limit, Map<String, String> labelSelector, String afterJobId) {
        if (afterJobId != null && !jobs.containsKey(afterJobId)) {
            throw new IllegalArgumentException("no job " + afterJobId);
        }
        List<JobRecord> newestFirst = new ArrayList<>(jobs.values());
        Collections.reverse(newestFirst);
        boolean started = afterJobId == null;
        List<Job> page = new ArrayList<>();
        for (JobRecord job : newestFirst) {
            if (!started) {
                started = job.id().equals(afterJobId);
                continue;
            }
            Map<String, String> labels = job.request().getLabelsMap();
            if (labels.entrySet().containsAll(labelSelector.entrySet())) {
                if (page.size() == limit) {
                    return new JobPage(page, true);
                }
                page.add(job.snapshot());
            }
        }
        return new JobPage(page, false);
    }

    /** One page of {@link #list}: the jobs, and whether more match after the last of them. */
    public record JobPage(List<Job> jobs, boolean more) {
    }

    public synchronized List<JobRecord> all() {
        return List.copyOf(jobs.values());
    }

    public Path jobsRoot() {
        return jobsRoot;
    }

    @Override
    public synchronized void close() {
        for (JobRecord job : jobs.values()) {
            job.events().close();
        }
    }

    /** A readable, time-ordered, DNS-label-safe id: {@code 20261128-183005-k3f9qz}. */
    private String newJobId() {
        String id;
        do {
            StringBuilder suffix = new StringBuilder(6);
            for (int i = 0; i < 6; i++) {
                suffix.append(ID_ALPHABET[random.nextInt(ID_ALPHABET.length)]);
            }
            id = ID_TIME.format(clock.instant()) + "-" + suffix;
        } while (jobs.containsKey(id) || Files.exists(jobsRoot.resolve(id)));
        return id;
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warnf(e, "cannot delete %s", dir);
        }
    }

    /** The job and whether this call created it (false: an idempotent resubmission). */
    public record Creation(JobRecord job, boolean created) {
    }

    /** Opens the journal of the job in a directory. */
    @FunctionalInterface
    public interface JournalFactory {
        EventJournal open(Path jobDirectory);
    }
}
