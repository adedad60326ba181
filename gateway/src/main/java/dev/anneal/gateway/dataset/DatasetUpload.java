package dev.anneal.gateway.dataset;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import dev.anneal.api.v1.DatasetFormat;
import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.api.v1.UploadMetadata;
import dev.anneal.worker.data.UploadedDatasets;
import io.grpc.Status;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One upload in progress: checks its metadata, writes its bytes into a hidden directory of the store while
 * hashing and counting them, refuses it as soon as it breaks a limit, and on {@link #finish()} checks the
 * declared size, digest and a first look at the format ({@link FormatCheck}) before the store renames it into
 * place; {@link #abort()} leaves nothing behind. Refusals are {@link io.grpc.StatusRuntimeException}s naming
 * the field.
 */
final class DatasetUpload {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    private static final int MAX_FILENAME = 255;

    private final DatasetStore store;
    private final UploadMetadata metadata;
    private final DatasetFormat format;
    private final Path directory;
    private final OutputStream out;
    private final MessageDigest sha256;
    private final JsonLinesCounter rows;
    private final FormatCheck formatCheck;
    private final Clock clock;
    private long received;
    private boolean open = true;

    private DatasetUpload(DatasetStore store, UploadMetadata metadata, DatasetFormat format, Clock clock)
            throws IOException {
        this.store = store;
        this.metadata = metadata;
        this.format = format;
        this.clock = clock;
        this.sha256 = newSha256();
        this.rows = format == DatasetFormat.JSON_LINES ? new JsonLinesCounter() : null;
        this.formatCheck = new FormatCheck(format);
        this.directory = store.newUploadDirectory();
        try {
            this.out = new BufferedOutputStream(Files.newOutputStream(
                    directory.resolve(UploadedDatasets.dataFileName(format))), 1 << 16);
        } catch (IOException e) {
            store.discard(directory);
            throw e;
        }
    }

    /** @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT or RESOURCE_EXHAUSTED for unacceptable metadata */
    static DatasetUpload start(DatasetStore store, UploadMetadata metadata, Clock clock) throws IOException {
        String filename = metadata.getFilename();
        if (filename.contains("/") || filename.contains("\\") || filename.equals("..")
                || filename.length() > MAX_FILENAME) {
            throw invalid("metadata.filename: a plain file name of at most " + MAX_FILENAME
                    + " characters without directories, got '" + filename + "'");
        }
        if (metadata.getSizeBytes() < 0) {
            throw invalid("metadata.size_bytes: must be >= 0 (0: unknown), got " + metadata.getSizeBytes());
        }
        if (metadata.getSizeBytes() > store.maxBytes()) {
            throw tooLarge("metadata.size_bytes: " + metadata.getSizeBytes() + " bytes exceed the gateway's limit of "
                    + store.maxBytes() + " bytes per data set");
        }
        if (!metadata.getSha256().isEmpty() && !SHA256.matcher(metadata.getSha256()).matches()) {
            throw invalid("metadata.sha256: expected 64 hex digits, got '" + metadata.getSha256() + "'");
        }
        DatasetFormat format = DatasetFormats.resolve(metadata.getFormat(), filename);
        return new DatasetUpload(store, metadata, format, clock);
    }

    void write(ByteString chunk) throws IOException {
        requireOpen();
        long total = received + chunk.size();
        if (total > store.maxBytes()) {
            throw tooLarge("chunk: the upload exceeds the gateway's limit of " + store.maxBytes()
                    + " bytes per data set");
        }
        if (metadata.getSizeBytes() > 0 && total > metadata.getSizeBytes()) {
            throw invalid("metadata.size_bytes: declared " + metadata.getSizeBytes() + " bytes, received more");
        }
        byte[] bytes = chunk.toByteArray();
        out.write(bytes);
        sha256.update(bytes);
        if (rows != null) {
            rows.accept(bytes, 0, bytes.length);
        }
        formatCheck.accept(bytes);
        received = total;
    }

    /** Checks size and digest, then stores the data set under a new id. */
    DatasetInfo finish() throws IOException {
        requireOpen();
        out.close();
        if (received == 0) {
            throw invalid("chunk: the upload has no bytes");
        }
        if (metadata.getSizeBytes() > 0 && received != metadata.getSizeBytes()) {
            throw invalid("metadata.size_bytes: declared " + metadata.getSizeBytes() + " bytes, received " + received);
        }
        String problem = formatCheck.problem();
        if (problem != null) {
            throw invalid("metadata.format: " + problem);
        }
        String digest = HexFormat.of().formatHex(sha256.digest());
        if (!metadata.getSha256().isEmpty() && !metadata.getSha256().toLowerCase(Locale.ROOT).equals(digest)) {
            throw invalid("metadata.sha256: declared " + metadata.getSha256() + ", but the received bytes hash to "
                    + digest);
        }
        Instant now = clock.instant();
        DatasetInfo.Builder info = DatasetInfo.newBuilder()
                .setDatasetId(store.newId())
                .setFormat(format)
                .setFilename(metadata.getFilename())
                .setSizeBytes(received)
                .setSha256(digest)
                .setCreated(Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
                .putAllLabels(metadata.getLabelsMap());
        if (rows != null) {
            info.setRowCount(rows.rows());
        }
        DatasetInfo stored = store.commit(directory, info.build());
        open = false;
        return stored;
    }

    /** Drops the upload and its bytes; safe to call more than once and after a failed {@link #finish()}. */
    void abort() {
        if (!open) {
            return;
        }
        open = false;
        try {
            out.close();
        } catch (IOException ignored) {
            // the directory goes anyway
        }
        store.discard(directory);
    }

    long received() {
        return received;
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException("the upload has ended");
        }
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }

    private static io.grpc.StatusRuntimeException invalid(String message) {
        return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
    }

    private static io.grpc.StatusRuntimeException tooLarge(String message) {
        return Status.RESOURCE_EXHAUSTED.withDescription(message).asRuntimeException();
    }
}
