package dev.anneal.gateway.dataset;

import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.UploadDatasetRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Clock;
import org.jboss.logging.Logger;

/**
 * The server side of one UploadDataset stream: metadata first, then chunks, then the stored data set's
 * description. Any refusal, error or client cancellation aborts the upload and removes its bytes; after a
 * refusal the rest of the stream is ignored.
 */
final class UploadReceiver implements StreamObserver<UploadDatasetRequest> {
    private static final Logger LOG = Logger.getLogger(UploadReceiver.class);

    private final DatasetStore store;
    private final Clock clock;
    private final StreamObserver<DatasetInfo> responses;
    /** Asks the call for the next message (flow control). */
    private final Runnable requestNext;
    private DatasetUpload upload;
    private boolean ended;

    UploadReceiver(DatasetStore store, Clock clock, StreamObserver<DatasetInfo> responses, Runnable requestNext) {
        this.store = store;
        this.clock = clock;
        this.responses = responses;
        this.requestNext = requestNext;
    }

    @Override
    public synchronized void onNext(UploadDatasetRequest request) {
        if (ended) {
            return;
        }
        try {
            switch (request.getPartCase()) {
                case METADATA -> {
                    if (upload != null) {
                        throw invalid("metadata: sent twice; only the first message carries metadata");
                    }
                    upload = DatasetUpload.start(store, request.getMetadata(), clock);
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
        requestNext.run();
    }

    @Override
    public synchronized void onError(Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
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
        LOG.infof("data set %s stored: %s, %d bytes, sha256 %s", info.getDatasetId(), info.getFormat(),
                info.getSizeBytes(), info.getSha256());
        responses.onNext(info);
        responses.onCompleted();
    }

    private void refuse(Exception e) {
        ended = true;
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
        responses.onError(status.asRuntimeException());
    }

    private static StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }
}
