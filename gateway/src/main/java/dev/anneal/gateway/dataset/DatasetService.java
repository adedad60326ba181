package dev.anneal.gateway.dataset;

import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.ListDatasetsResponse;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.gateway.job.JobRecord;
import dev.anneal.gateway.job.JobStore;
import dev.anneal.gateway.paging.PageTokens;
import dev.anneal.worker.data.UploadedDatasets;
import dev.anneal.worker.run.RunEnvironment;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * What the data set RPCs do, independent of the wire: receive uploads, find, list and delete data sets,
 * and check that a TrainRequest's {@code dataset_id}s exist. The store sits beside the job store
 * ({@code <data-dir>/datasets} next to {@code <data-dir>/jobs}), which is where every run looks for them:
 * in the gateway's JVM, and in worker pods that mount the same volume.
 */
public class DatasetService implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(DatasetService.class);
    static final int DEFAULT_PAGE_SIZE = 100;
    static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);

    private final DatasetStore store;
    private final Supplier<List<JobRecord>> jobs;
    private final IdleUploads idle;

    DatasetService(DatasetStore store, Supplier<List<JobRecord>> jobs, IdleUploads idle) {
        this.store = store;
        this.jobs = jobs;
        this.idle = idle;
    }

    /**
     * The store beside {@code jobStore}'s jobs, where runs resolve {@code dataset_id}, with its idle-upload timer
     * running.
     *
     * @param idleTimeout how long an upload may go without a message before it is dropped
     */
    public static DatasetService beside(JobStore jobStore, long maxBytes, Duration idleTimeout, Clock clock) {
        Path root = jobStore.jobsRoot().toAbsolutePath().resolveSibling(RunEnvironment.DATASETS_DIRECTORY);
        LOG.infof("data set store: %s (at most %d bytes per upload, idle uploads dropped after %s)", root, maxBytes,
                idleTimeout);
        return new DatasetService(DatasetStore.open(root, maxBytes), jobStore::all,
                new IdleUploads(idleTimeout, clock).startChecking());
    }

    /** {@link #beside(JobStore, long, Duration, Clock)} with the default idle timeout of five minutes. */
    public static DatasetService beside(JobStore jobStore, long maxBytes, Clock clock) {
        return beside(jobStore, maxBytes, DEFAULT_IDLE_TIMEOUT, clock);
    }

    /**
     * The receiving side of one UploadDataset stream. On a gRPC call it asks for one message at a time, the
     * next only when the previous one is on disk, so a client faster than the disk waits instead of filling the
     * gateway's memory.
     */
    public StreamObserver<UploadDatasetRequest> receive(StreamObserver<DatasetInfo> responses) {
        Runnable requestNext = () -> { };
        if (responses instanceof ServerCallStreamObserver<DatasetInfo> call) {
            call.disableAutoRequest();
            requestNext = () -> call.request(1);
        }
        UploadReceiver receiver = new UploadReceiver(store, idle, responses, requestNext);
        requestNext.run();
        return receiver;
    }

    /** @throws StatusRuntimeException INVALID_ARGUMENT for an empty id, NOT_FOUND for an unknown one */
    public DatasetInfo get(String datasetId) {
        return find("dataset_id", datasetId).orElseThrow(() -> notFound("dataset_id", datasetId));
    }

    /**
     * A page of data sets, newest first, continuing after {@code pageToken} (empty for the first page).
     *
     * @throws StatusRuntimeException INVALID_ARGUMENT for a negative page size or a token the gateway did not give
     */
    public ListDatasetsResponse list(int pageSize, Map<String, String> labelSelector, String pageToken) {
        if (pageSize < 0) {
            throw Status.INVALID_ARGUMENT.withDescription("page_size: must be >= 0, got " + pageSize)
                    .asRuntimeException();
        }
        DatasetInfo after = pageToken.isEmpty() ? null : positionOf(pageToken);
        int limit = pageSize == 0 ? DEFAULT_PAGE_SIZE : pageSize;
        List<DatasetInfo> matching = store.list().stream()
                .filter(info -> after == null || DatasetStore.NEWEST_FIRST.compare(info, after) > 0)
                .filter(info -> info.getLabelsMap().entrySet().containsAll(labelSelector.entrySet()))
                .limit(limit + 1L)
                .toList();
        ListDatasetsResponse.Builder response = ListDatasetsResponse.newBuilder()
                .addAllDatasets(matching.subList(0, Math.min(limit, matching.size())));
        if (matching.size() > limit) {
            DatasetInfo last = matching.get(limit - 1);
            response.setNextPageToken(PageTokens.after(last.getCreated().getSeconds() + ":"
                    + last.getCreated().getNanos() + ":" + last.getDatasetId()));
        }
        return response.build();
    }

    /** The sort position a page token carries, as a data set with that creation time and id. */
    private static DatasetInfo positionOf(String pageToken) {
        try {
            String[] parts = PageTokens.position(pageToken).split(":", 3);
            return DatasetInfo.newBuilder()
                    .setCreated(Timestamp.newBuilder().setSeconds(Long.parseLong(parts[0])).setNanos(Integer.parseInt(parts[1])))
                    .setDatasetId(parts[2]).build();
        } catch (IllegalArgumentException | ArrayIndexOutOfBoundsException notOurs) {
            throw Status.INVALID_ARGUMENT.withDescription("page_token: not a next_page_token of this gateway")
                    .asRuntimeException();
        }
    }

    /**
     * Deletes a data set no unfinished job uses.
     *
     * @throws StatusRuntimeException NOT_FOUND for an unknown id, FAILED_PRECONDITION while a job uses it
     */
    public DatasetInfo delete(String datasetId) {
        DatasetInfo info = get(datasetId);
        for (JobRecord job : jobs.get()) {
            if (!job.ended() && uses(job.request(), datasetId)) {
                throw Status.FAILED_PRECONDITION.withDescription("dataset_id: data set " + datasetId
                        + " is used by job " + job.id() + ", which has not ended; cancel it or wait").asRuntimeException();
            }
        }
        try {
            if (!store.delete(datasetId)) {
                throw notFound("dataset_id", datasetId);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete data set " + datasetId, e);
        }
        LOG.infof("data set %s deleted", datasetId);
        return info;
    }

    /**
     * Refuses a request whose train or validation names a data set this gateway does not hold. A malformed
     * id is left to the request validator, which refuses it with INVALID_ARGUMENT.
     *
     * @throws StatusRuntimeException NOT_FOUND naming the field ("train.dataset_id")
     */
    public void requireKnown(TrainRequest request) {
        requireKnown("train", request.getTrain());
        if (request.hasValidation()) {
            requireKnown("validation", request.getValidation());
        }
    }

    private void requireKnown(String field, Dataset dataset) {
        if (dataset.hasDatasetId() && UploadedDatasets.isValidId(dataset.getDatasetId())
                && store.find(dataset.getDatasetId()).isEmpty()) {
            throw notFound(field + ".dataset_id", dataset.getDatasetId());
        }
    }

    /** Drops uploads idle for longer than the timeout now, rather than at the timer's next check. */
    void expireIdleUploads() {
        idle.expire();
    }

    /** Stops the idle-upload timer. */
    @Override
    public void close() {
        idle.close();
    }

    private Optional<DatasetInfo> find(String field, String datasetId) {
        if (datasetId.isEmpty()) {
            throw Status.INVALID_ARGUMENT.withDescription(field + ": is required").asRuntimeException();
        }
        return store.find(datasetId);
    }

    private static boolean uses(TrainRequest request, String datasetId) {
        return request.getTrain().getDatasetId().equals(datasetId)
                || request.getValidation().getDatasetId().equals(datasetId);
    }

    private static StatusRuntimeException notFound(String field, String datasetId) {
        return Status.NOT_FOUND.withDescription(field + ": no data set \"" + datasetId + "\"; upload one with "
                + "UploadDataset").asRuntimeException();
    }
}
