package dev.anneal.api.client;

import dev.anneal.api.v1.CancelJobRequest;
import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.DeleteDatasetRequest;
import dev.anneal.api.v1.GetDatasetRequest;
import dev.anneal.api.v1.ListDatasetsRequest;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.api.v1.GetJobRequest;
import dev.anneal.api.v1.Job;
import dev.anneal.api.v1.ListJobsRequest;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainServiceGrpc;
import dev.anneal.api.v1.WatchRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A small Java client of Anneal's {@code TrainService}.
 *
 * <pre>{@code
 * try (AnnealClient client = AnnealClient.builder().setTarget("localhost:9090").build()) {
 *     JobOutcome outcome = client.train(request, new TrainListener() {
 *         public void onProgress(Progress p) { ... }
 *     });
 * }
 * }</pre>
 *
 * <p>A client built with {@link Builder#setTarget} creates and owns its channel and shuts it down on
 * {@link #close()}; one built with {@link Builder#setChannel} borrows the channel and leaves it open. Creating a
 * channel from a target needs a gRPC transport on the class path (e.g. {@code grpc-netty-shaded}).
 */
public final class AnnealClient implements AutoCloseable {

    private final ManagedChannel channel;
    private final boolean ownsChannel;
    private final Duration unaryTimeout;
    private final int reattachAttempts;
    private final int uploadChunkBytes;
    private final TrainServiceGrpc.TrainServiceStub async;
    private final TrainServiceGrpc.TrainServiceBlockingStub blocking;

    private AnnealClient(Builder builder) {
        if (builder.channel != null) {
            this.channel = builder.channel;
            this.ownsChannel = false;
        } else {
            ManagedChannelBuilder<?> channelBuilder = ManagedChannelBuilder.forTarget(builder.target);
            if (builder.plaintext) {
                channelBuilder.usePlaintext();
            }
            this.channel = channelBuilder.build();
            this.ownsChannel = true;
        }
        this.unaryTimeout = builder.unaryTimeout;
        this.reattachAttempts = builder.reattachAttempts;
        this.uploadChunkBytes = builder.uploadChunkBytes;
        this.async = TrainServiceGrpc.newStub(channel);
        this.blocking = TrainServiceGrpc.newBlockingStub(channel);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Submits a job and follows it until it ends, calling the listener for every event.
     *
     * @return how the job ended (SUCCEEDED, FAILED or CANCELLED)
     * @throws AnnealException if the gateway refused the request (e.g. INVALID_ARGUMENT naming the field) or
     *     the stream broke before the job ended; the exception carries the job id and last sequence to resume
     */
    public JobOutcome train(TrainRequest request, TrainListener listener) {
        return submit(request, listener).await();
    }

    /** Submits a job and follows it in the background; the returned stream can be awaited or detached. */
    public JobStream submit(TrainRequest request, TrainListener listener) {
        Objects.requireNonNull(request, "request");
        JobStream stream = new JobStream(Objects.requireNonNull(listener, "listener"), null, 0, this::watchInto,
                reattachAttempts);
        async.train(request, stream.observer());
        return stream;
    }

    /**
     * Re-attaches to a job: receives every event after {@code afterSequence} (0 for all), then live events
     * until the job ends.
     *
     * @throws AnnealException NOT_FOUND for an unknown job, or when the stream broke before the job ended
     */
    public JobOutcome watch(String jobId, long afterSequence, TrainListener listener) {
        return follow(jobId, afterSequence, listener).await();
    }

    /** Like {@link #watch} but in the background. */
    public JobStream follow(String jobId, long afterSequence, TrainListener listener) {
        requireJobId(jobId);
        if (afterSequence < 0) {
            throw new IllegalArgumentException("afterSequence must be >= 0, got " + afterSequence);
        }
        JobStream stream = new JobStream(Objects.requireNonNull(listener, "listener"), jobId, afterSequence,
                this::watchInto, reattachAttempts);
        watchInto(jobId, afterSequence, stream.observer());
        return stream;
    }

    private void watchInto(String jobId, long afterSequence, ClientResponseObserver<?, TrainEvent> observer) {
        @SuppressWarnings("unchecked")
        ClientResponseObserver<WatchRequest, TrainEvent> typed = (ClientResponseObserver<WatchRequest, TrainEvent>) observer;
        async.watch(WatchRequest.newBuilder().setJobId(jobId).setAfterSequence(afterSequence).build(), typed);
    }

    /** @throws AnnealException NOT_FOUND for an unknown job */
    public Job getJob(String jobId) {
        requireJobId(jobId);
        try {
            return unary().getJob(GetJobRequest.newBuilder().setJobId(jobId).build());
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /** Lists up to 100 jobs, newest first. */
    public List<Job> listJobs() {
        return listJobs(ListJobsRequest.getDefaultInstance());
    }

    public List<Job> listJobs(ListJobsRequest request) {
        try {
            return unary().listJobs(request).getJobsList();
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /**
     * Asks a job to stop; a running job ends CANCELLED at its next step boundary.
     *
     * @return the job as it is right after the request
     * @throws AnnealException NOT_FOUND for an unknown job, FAILED_PRECONDITION if it has already ended
     */
    public Job cancel(String jobId) {
        requireJobId(jobId);
        try {
            return unary().cancelJob(CancelJobRequest.newBuilder().setJobId(jobId).build());
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /**
     * Uploads a data set file for later jobs (use the returned id as {@code Dataset.dataset_id}). The file's
     * size and SHA-256 are sent first and verified by the gateway; the format follows the file's extension.
     *
     * @throws AnnealException INVALID_ARGUMENT (e.g. unknown extension, digest mismatch) or RESOURCE_EXHAUSTED
     *     (larger than the gateway accepts)
     * @throws UncheckedIOException when the file cannot be read
     */
    public DatasetInfo uploadDataset(Path file) {
        return uploadDataset(file, DatasetFormat.DATASET_FORMAT_UNSPECIFIED, Map.of());
    }

    /** Like {@link #uploadDataset(Path)} with an explicit format. */
    public DatasetInfo uploadDataset(Path file, DatasetFormat format) {
        return uploadDataset(file, format, Map.of());
    }

    /** Like {@link #uploadDataset(Path)} with an explicit format and labels to store with the data set. */
    public DatasetInfo uploadDataset(Path file, DatasetFormat format, Map<String, String> labels) {
        Objects.requireNonNull(file, "file");
        UploadMetadata.Builder metadata = UploadMetadata.newBuilder().setFormat(Objects.requireNonNull(format, "format"))
                .setFilename(file.getFileName().toString()).putAllLabels(labels);
        DatasetUploader uploader;
        try {
            uploader = DatasetUploader.of(file, metadata, uploadChunkBytes);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        async.uploadDataset(uploader);
        try {
            return uploader.result().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AnnealException(Status.Code.CANCELLED, "interrupted while uploading " + file, null, 0, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io;
            }
            throw AnnealException.from(e.getCause(), null, 0);
        }
    }

    /** @throws AnnealException NOT_FOUND for an unknown data set */
    public DatasetInfo getDataset(String datasetId) {
        try {
            return unary().getDataset(GetDatasetRequest.newBuilder().setDatasetId(datasetId).build());
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /** Lists up to 100 stored data sets, newest first. */
    public List<DatasetInfo> listDatasets() {
        try {
            return unary().listDatasets(ListDatasetsRequest.getDefaultInstance()).getDatasetsList();
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /** @throws AnnealException NOT_FOUND for an unknown data set, FAILED_PRECONDITION while a job uses it */
    public DatasetInfo deleteDataset(String datasetId) {
        try {
            return unary().deleteDataset(DeleteDatasetRequest.newBuilder().setDatasetId(datasetId).build());
        } catch (StatusRuntimeException e) {
            throw AnnealException.from(e);
        }
    }

    /** Shuts the channel down if this client created it; open streams end with CANCELLED/UNAVAILABLE. */
    @Override
    public void close() {
        if (!ownsChannel) {
            return;
        }
        channel.shutdown();
        try {
            if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
                channel.shutdownNow();
            }
        } catch (InterruptedException e) {
            channel.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private TrainServiceGrpc.TrainServiceBlockingStub unary() {
        return blocking.withDeadlineAfter(unaryTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static void requireJobId(String jobId) {
        if (jobId == null || jobId.isBlank()) {
            throw new IllegalArgumentException("jobId must not be empty");
        }
    }

    /** Builds an {@link AnnealClient}: {@code set*} values are required (one of them), {@code opt*} optional. */
    public static final class Builder {

        private String target;
        private ManagedChannel channel;
        private boolean plaintext = true;
        private Duration unaryTimeout = Duration.ofSeconds(30);
        private int reattachAttempts;
        private int uploadChunkBytes = 1 << 20;

        private Builder() {}

        /** The gateway address, e.g. {@code localhost:9090}; the client creates and owns the channel. */
        public Builder setTarget(String target) {
            this.target = target;
            return this;
        }

        /** An existing channel; the client borrows it and does not shut it down. */
        public Builder setChannel(ManagedChannel channel) {
            this.channel = channel;
            return this;
        }

        /** Plaintext (no TLS) for a channel created from a target; default true. */
        public Builder optPlaintext(boolean plaintext) {
            this.plaintext = plaintext;
            return this;
        }

        /** Deadline of GetJob, ListJobs and CancelJob; default 30 s. Streams have none. */
        public Builder optUnaryTimeout(Duration unaryTimeout) {
            if (unaryTimeout == null || unaryTimeout.isNegative() || unaryTimeout.isZero()) {
                throw new IllegalArgumentException("unaryTimeout must be positive, got " + unaryTimeout);
            }
            this.unaryTimeout = unaryTimeout;
            return this;
        }

        /**
         * How often a followed stream that breaks with UNAVAILABLE (or ends before the job did) after the job was
         * accepted is resumed with Watch from its last event, with backoff; default 0 (the failure is thrown).
         * The attempts are counted over the whole stream.
         */
        public Builder optReattachAttempts(int attempts) {
            if (attempts < 0) {
                throw new IllegalArgumentException("reattach attempts must be >= 0, got " + attempts);
            }
            this.reattachAttempts = attempts;
            return this;
        }

        /** Bytes per message of an upload; default 1 MiB (the gateway accepts messages up to 64 MiB). */
        public Builder optUploadChunkBytes(int bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("upload chunk bytes must be positive, got " + bytes);
            }
            this.uploadChunkBytes = bytes;
            return this;
        }

        public AnnealClient build() {
            boolean hasTarget = target != null && !target.isBlank();
            if (hasTarget == (channel != null)) {
                throw new IllegalStateException("set exactly one of target or channel");
            }
            return new AnnealClient(this);
        }
    }
}
