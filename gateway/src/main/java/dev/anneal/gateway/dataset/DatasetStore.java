package dev.anneal.gateway.dataset;

import dev.anneal.api.v1.DatasetInfo;
import dev.anneal.worker.data.UploadedDatasets;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The uploaded data sets on the gateway's data volume, in {@link UploadedDatasets}' layout. An upload is
 * written into a hidden temporary directory beside the data sets and renamed into place only when complete,
 * so a data set's directory is either absent or whole; a deletion renames it away first for the same reason.
 * Leftovers of uploads or deletions that a crash interrupted are removed when the store opens.
 */
public final class DatasetStore {
    /** The order of {@link #list}: creation time, newest first; the id settles ties so the order is total. */
    public static final Comparator<DatasetInfo> NEWEST_FIRST =
            Comparator.comparing((DatasetInfo info) -> info.getCreated().getSeconds())
                    .thenComparing(info -> info.getCreated().getNanos())
                    .thenComparing(DatasetInfo::getDatasetId).reversed();

    private static final Logger LOG = Logger.getLogger(DatasetStore.class);
    private static final String UPLOAD_PREFIX = ".upload-";
    private static final String DELETED_PREFIX = ".deleted-";

    private final Path root;
    private final long maxBytes;

    private DatasetStore(Path root, long maxBytes) {
        this.root = root;
        this.maxBytes = maxBytes;
    }

    /**
     * @param root     the directory holding one directory per data set
     * @param maxBytes the largest upload accepted
     */
    public static DatasetStore open(Path root, long maxBytes) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("anneal.datasets.max-size: must be positive, got " + maxBytes);
        }
        try {
            Files.createDirectories(root);
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, ".*")) {
                for (Path leftover : entries) {
                    String name = leftover.getFileName().toString();
                    if (name.startsWith(UPLOAD_PREFIX) || name.startsWith(DELETED_PREFIX)) {
                        LOG.infof("removing %s, left by an interrupted upload or deletion", leftover);
                        deleteTree(leftover);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the data set store " + root, e);
        }
        return new DatasetStore(root, maxBytes);
    }

    public Path root() {
        return root;
    }

    public long maxBytes() {
        return maxBytes;
    }

    /** A fresh, hidden directory for one upload's bytes. */
    Path newUploadDirectory() throws IOException {
        return Files.createTempDirectory(root, UPLOAD_PREFIX);
    }

    /** A new id that names no stored data set. */
    String newId() {
        String id;
        do {
            id = "ds-" + UUID.randomUUID().toString().replace("-", "");
        } while (Files.exists(root.resolve(id)));
        return id;
    }

    /**
     * Completes an upload: writes its description next to its bytes, forces both to disk and renames the
     * upload directory to the data set's id in one atomic step.
     */
    DatasetInfo commit(Path uploadDirectory, DatasetInfo info) throws IOException {
        Path infoFile = uploadDirectory.resolve(UploadedDatasets.INFO_FILE);
        try (OutputStream out = Files.newOutputStream(infoFile)) {
            info.writeTo(out);
        }
        force(infoFile);
        force(uploadDirectory.resolve(UploadedDatasets.dataFileName(info.getFormat())));
        Path target = UploadedDatasets.directory(root, info.getDatasetId());
        try {
            Files.move(uploadDirectory, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + uploadDirectory + " to " + target + " atomically", e);
        }
        return info;
    }

    /** Removes an unfinished upload's directory; never throws, since it runs on failure paths. */
    void discard(Path uploadDirectory) {
        try {
            deleteTree(uploadDirectory);
        } catch (IOException e) {
            LOG.warnf(e, "cannot remove the unfinished upload %s; it is removed at the next start", uploadDirectory);
        }
    }

    public Optional<DatasetInfo> find(String id) {
        try {
            return Optional.ofNullable(UploadedDatasets.readInfo(root, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read data set " + id, e);
        }
    }

    /** Every stored data set, newest first. */
    public List<DatasetInfo> list() {
        List<DatasetInfo> datasets = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(root, "ds-*")) {
            for (Path entry : entries) {
                find(entry.getFileName().toString()).ifPresent(datasets::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the data set store " + root, e);
        }
        datasets.sort(NEWEST_FIRST);
        return datasets;
    }


    /** Deletes a data set; false when there was none with this id. */
    public boolean delete(String id) throws IOException {
        if (!UploadedDatasets.isValidId(id)) {
            return false;
        }
        Path doomed = root.resolve(DELETED_PREFIX + id + "-" + UUID.randomUUID());
        try {
            Files.move(UploadedDatasets.directory(root, id), doomed, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return false;
        }
        deleteTree(doomed);
        return true;
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
