package dev.anneal.gateway.dataset;

import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.UploadDatasetRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * The server side of one UploadDataset stream: metadata first, then chunks, then the stored data set's
 * description. Any refusal, error, client cancellation or idle timeout ({@link IdleUploads}) aborts the upload
 * and removes its bytes; after a refusal the rest of the stream is ignored.
 */
final class UploadReceiver implements StreamObserver<UploadDatasetRequest> {
    private static final Logger LOG = Logger.getLogger(UploadReceiver.class);

    private final DatasetStore store;
    private final IdleUploads idle;
    private final StreamObserver<DatasetInfo> responses;
    /** Asks the call for the next message (flow control). */
    private final Runnable requestNext;
    private DatasetUpload upload;
    private boolean ended;
    private Instant lastActivity;

    UploadReceiver(DatasetStore store, IdleUploads idle, StreamObserver<DatasetInfo> responses, Runnable requestNext) {
        this.store = store;
        this.idle = idle;
        this.responses = responses;
        this.requestNext = requestNext;
        this.lastActivity = idle.clock().instant();
        idle.opened(this);
    }

    @Override
    public synchronized void onNext(UploadDatasetRequest request) {
        if (ended) {
            return;
        }
        lastActivity = idle.clock().instant();
        try {
            switch (request.getPartCase()) {
                case METADATA -> {
                    if (upload != null) {
                        throw invalid("metadata: sent twice; only the first message carries metadata");
                    }
                    upload = DatasetUpload.start(store, request.getMetadata(), idle.clock());
                }
                case CHUNK -> {
                    if (upload == null) {
                        throw invalid("metadata: the first message must carry metadata, got a chunk");
                    }
                    upload.write(request.getChunk());
                }
                case PART_NOT_SET -> throw invalid("part: the message has neither metadata nor a chunk");
            }
        } catch (RuntimeException | IOException e) {
            refuse(e);
            return;
        }
        lastActivity = idle.clock().instant();
        requestNext.run();
    }

    /** Ends the upload, refused with DEADLINE_EXCEEDED, if its client has sent nothing since {@code cutoff}. */
    synchronized void expireIfIdleSince(Instant cutoff) {
        if (!ended && lastActivity.isBefore(cutoff)) {
            LOG.infof("upload idle for more than %s after %d bytes; nothing stored", idle.timeout(),
                    upload == null ? 0 : upload.received());
            refuse(Status.DEADLINE_EXCEEDED.withDescription("chunk: nothing received for more than " + idle.timeout()
                    + " (anneal.datasets.idle-timeout); the upload was dropped").asRuntimeException());
        }
    }

    @Override
    public synchronized void onError(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        idle.closed(this);
        if (upload != null) {
            LOG.infof("upload ended by the client after %d bytes (%s); nothing stored", upload.received(),
                    Status.fromThrowable(cause).getCode());
            upload.abort();
        }
    }

    @Override
    public synchronized void onCompleted() {
        if (ended) {
            return;
        }
        DatasetInfo info;
        try {
            if (upload == null) {
                throw invalid("metadata: the stream ended before any metadata");
            }
            info = upload.finish();
        } catch (RuntimeException | IOException e) {
            refuse(e);
            return;
        }
        ended = true;
        idle.closed(this);
        LOG.infof("data set %s stored: %s, %d bytes, sha256 %s", info.getDatasetId(), info.getFormat(),
                info.getSizeBytes(), info.getSha256());
        responses.onNext(info);
        responses.onCompleted();
    }

    private void refuse(Exception e) {
        ended = true;
        idle.closed(this);
        if (upload != null) {
            upload.abort();
        }
        Status status;
        if (e instanceof StatusRuntimeException refused) {
            status = refused.getStatus();
        } else if (e instanceof IOException io && String.valueOf(io.getMessage()).contains("No space left")) {
            status = Status.RESOURCE_EXHAUSTED.withDescription("the gateway's data volume is full: " + io.getMessage());
        } else {
            LOG.error("upload failed", e);
            status = Status.INTERNAL.withDescription("cannot store the upload: " + e).withCause(e);
        }
        try {
            responses.onError(status.asRuntimeException());
        } catch (RuntimeException callGone) {
            // The client cancelled at the same moment: there is no one left to tell.
            LOG.debugf("upload refused after its call ended: %s", status);
        }
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
