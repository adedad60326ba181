package dev.anneal.api.client;

import com.google.protobuf.ByteString;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.UploadDatasetRequest;
import dev.anneal.api.v1.UploadMetadata;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;

/**
 * Streams one file to UploadDataset: metadata with the file's size and SHA-256 (so the gateway can verify
 * what it received), then chunks, sent only while the call is ready so a slow gateway is never buffered
 * for. The result completes with the stored data set or the gateway's refusal.
 */
final class DatasetUploader implements ClientResponseObserver<UploadDatasetRequest, DatasetInfo> {
    private final UploadMetadata metadata;
    private final InputStream in;
    private final byte[] buffer;
    private final CompletableFuture<DatasetInfo> result = new CompletableFuture<>();
    private ClientCallStreamObserver<UploadDatasetRequest> requests;
    private boolean metadataSent;
    private boolean done;

    private DatasetUploader(UploadMetadata metadata, InputStream in, int chunkBytes) {
        this.metadata = metadata;
        this.in = in;
        this.buffer = new byte[chunkBytes];
    }

    /** Opens {@code file} for sending; {@code metadata}'s size and sha256 are filled in from the file. */
    static DatasetUploader of(Path file, UploadMetadata.Builder metadata, int chunkBytes) throws IOException {
        metadata.setSizeBytes(Files.size(file)).setSha256(sha256(file));
        return new DatasetUploader(metadata.build(), Files.newInputStream(file), chunkBytes);
    }

    CompletableFuture<DatasetInfo> result() {
        return result;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<UploadDatasetRequest> requestStream) {
        this.requests = requestStream;
        requestStream.setOnReadyHandler(this::sendWhileReady);
    }

    private synchronized void sendWhileReady() {
        try {
            while (!done && requests.isReady()) {
                if (!metadataSent) {
                    requests.onNext(UploadDatasetRequest.newBuilder().setMetadata(metadata).build());
                    metadataSent = true;
                    continue;
                }
                int read = in.readNBytes(buffer, 0, buffer.length);
                if (read == 0) {
                    done = true;
                    in.close();
                    requests.onCompleted();
                    return;
                }
                requests.onNext(UploadDatasetRequest.newBuilder().setChunk(ByteString.copyFrom(buffer, 0, read)).build());
            }
        } catch (IOException e) {
            done = true;
            requests.onError(Status.CANCELLED.withDescription("cannot read the file to upload").withCause(e)
                    .asRuntimeException());
            result.completeExceptionally(new UncheckedIOException("cannot read the file to upload", e));
            closeQuietly();
        }
    }

    @Override
    public void onNext(DatasetInfo info) {
        result.complete(info);
    }

    @Override
    public synchronized void onError(Throwable error) {
        done = true;
        closeQuietly();
        result.completeExceptionally(error);
    }

    @Override
    public void onCompleted() {
        if (!result.isDone()) {
            result.completeExceptionally(Status.INTERNAL.withDescription("the gateway ended the upload without an "
                    + "answer").asRuntimeException());
        }
    }

    private void closeQuietly() {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing more to read anyway
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
