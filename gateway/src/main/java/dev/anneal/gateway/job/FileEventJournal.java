package dev.anneal.gateway.job;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.anneal.api.v1.TrainEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.jboss.logging.Logger;

/**
 * An append-only file of events. Each record is {@code [int length][int crc32][TrainEvent bytes]}
 * (big-endian). Opening reads every whole, intact record and truncates whatever follows the last one:
 * a record torn by a crash mid-write, or one whose checksum does not match.
 */
public final class FileEventJournal implements EventJournal {
    private static final Logger LOG = Logger.getLogger(FileEventJournal.class);
    private static final int HEADER_BYTES = 8;
    /** Larger than any event the gateway writes; a bigger length field means a corrupt header. */
    private static final int MAX_RECORD_BYTES = 256 * 1024 * 1024;

    private final Path file;
    private final FileChannel channel;
    private final boolean fsync;
    private final List<TrainEvent> recovered;

    private FileEventJournal(Path file, FileChannel channel, boolean fsync, List<TrainEvent> recovered) {
        this.file = file;
        this.channel = channel;
        this.fsync = fsync;
        this.recovered = recovered;
    }

    /**
     * Opens (creating if absent) the journal at {@code file}.
     *
     * @param fsync force every append to the device before it returns
     */
    public static FileEventJournal open(Path file, boolean fsync) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            try {
                List<TrainEvent> events = new ArrayList<>();
                long intactEnd = readIntactRecords(channel, events);
                if (intactEnd < channel.size()) {
                    LOG.warnf("%s: dropping %d bytes after the last intact record (torn or corrupt tail)", file,
                            channel.size() - intactEnd);
                    channel.truncate(intactEnd);
                    channel.force(true);
                }
                channel.position(intactEnd);
                return new FileEventJournal(file, channel, fsync, List.copyOf(events));
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open event journal " + file, e);
        }
    }

    private static long readIntactRecords(FileChannel channel, List<TrainEvent> into) throws IOException {
        long size = channel.size();
        long position = 0;
        ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES);
        while (position + HEADER_BYTES <= size) {
            header.clear();
            readFully(channel, header, position);
            header.flip();
            int length = header.getInt();
            int checksum = header.getInt();
            if (length < 0 || length > MAX_RECORD_BYTES || position + HEADER_BYTES + length > size) {
                break;
            }
            ByteBuffer body = ByteBuffer.allocate(length);
            readFully(channel, body, position + HEADER_BYTES);
            if (crc(body.array()) != checksum) {
                break;
            }
            try {
                into.add(TrainEvent.parseFrom(body.array()));
            } catch (InvalidProtocolBufferException e) {
                break;
            }
            position += HEADER_BYTES + length;
        }
        return position;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, position + buffer.position());
            if (read < 0) {
                throw new IOException("unexpected end of file");
            }
        }
    }

    private static int crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    @Override
    public List<TrainEvent> recovered() {
        return recovered;
    }

    @Override
    public synchronized void append(TrainEvent event) {
        byte[] body = event.toByteArray();
        ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + body.length);
        record.putInt(body.length).putInt(crc(body)).put(body).flip();
        try {
            while (record.hasRemaining()) {
                channel.write(record);
            }
            if (fsync) {
                channel.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to event journal " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warnf(e, "closing %s", file);
        }
    }
}
