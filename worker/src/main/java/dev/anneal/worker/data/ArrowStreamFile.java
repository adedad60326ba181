package dev.anneal.worker.data;

import dev.anneal.worker.run.RunFailure;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.Field;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.flatbuf.Schema;

/**
 * An Arrow IPC stream file (what Hugging Face datasets' {@code save_to_disk} writes as {@code data-*.arrow}),
 * read one record batch at a time: memory holds a single batch, never the whole file. Uncompressed bodies,
 * little-endian, no dictionaries — the way datasets writes them.
 */
public final class ArrowStreamFile extends FileRowSource {
    private static final int CONTINUATION = 0xFFFFFFFF;

    public ArrowStreamFile(String name, Path path) {
        super(name, path);
    }

    @Override
    public RowCursor open() {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw unreadable(e);
        }
        try {
            return new BatchCursor(channel);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private final class BatchCursor implements RowCursor {
        private final FileChannel channel;
        private final List<Field> fields = new ArrayList<>();
        private List<ArrowColumn> columns = List.of();
        private long batchRows;
        private int row;
        private boolean ended;

        BatchCursor(FileChannel channel) {
            this.channel = channel;
            Message schema = readMessage();
            if (schema == null || schema.headerType() != MessageHeader.Schema) {
                throw failure("does not start with an Arrow schema message (is it an Arrow IPC stream?)");
            }
            Schema table = (Schema) schema.header(new Schema());
            for (int i = 0; i < table.fieldsLength(); i++) {
                fields.add(table.fields(i));
            }
            skip(schema.bodyLength());
        }

        @Override
        public boolean hasNext() {
            while (row >= batchRows) {
                if (ended || !nextBatch()) {
                    ended = true;
                    return false;
                }
            }
            return true;
        }

        @Override
        public Map<String, Object> next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Map<String, Object> values = new LinkedHashMap<>();
            for (ArrowColumn column : columns) {
                values.put(column.name, column.get(row));
            }
            row++;
            return values;
        }

        private boolean nextBatch() {
            while (true) {
                Message message = readMessage();
                if (message == null) {
                    return false;
                }
                if (message.headerType() == MessageHeader.DictionaryBatch) {
                    throw failure("has dictionary batches, which are not supported");
                }
                if (message.headerType() != MessageHeader.RecordBatch) {
                    skip(message.bodyLength());
                    continue;
                }
                RecordBatch batch = (RecordBatch) message.header(new RecordBatch());
                if (batch.compression() != null) {
                    throw failure("has compressed record batches, which are not supported");
                }
                ByteBuffer body = read(message.bodyLength());
                List<FieldNode> nodes = new ArrayList<>();
                for (int i = 0; i < batch.nodesLength(); i++) {
                    nodes.add(batch.nodes(i));
                }
                List<Buffer> buffers = new ArrayList<>();
                for (int i = 0; i < batch.buffersLength(); i++) {
                    buffers.add(batch.buffers(i));
                }
                var nodeIterator = nodes.iterator();
                var bufferIterator = buffers.iterator();
                List<ArrowColumn> read = new ArrayList<>();
                try {
                    for (Field field : fields) {
                        read.add(ArrowColumn.read(field, nodeIterator, bufferIterator, body, name));
                    }
                } catch (NoSuchElementException e) {
                    throw failure("has a record batch with fewer nodes or buffers than its schema needs");
                } catch (ArrowFormatException e) {
                    throw failure(e.getMessage());
                }
                columns = read;
                batchRows = batch.length();
                row = 0;
                return true;
            }
        }

        /** The next message's metadata, or null at end of stream (EOS marker or end of file). */
        private Message readMessage() {
            ByteBuffer prefix = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            if (!fill(prefix, true)) {
                return null;
            }
            int length = prefix.getInt(0);
            if (length == CONTINUATION) {
                prefix.clear();
                if (!fill(prefix, true)) {
                    return null;
                }
                length = prefix.getInt(0);
            }
            if (length == 0) {
                return null;
            }
            if (length < 0) {
                throw failure("has a negative metadata length");
            }
            return Message.getRootAsMessage(read(length));
        }

        private ByteBuffer read(long length) {
            if (length > Integer.MAX_VALUE) {
                throw failure("has a record batch larger than 2 GB; write it with smaller batches");
            }
            ByteBuffer buffer = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
            fill(buffer, false);
            buffer.flip();
            return buffer;
        }

        private void skip(long length) {
            try {
                channel.position(channel.position() + length);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** Fills the buffer; false when the file ended before the first byte and that is allowed. */
        private boolean fill(ByteBuffer buffer, boolean endAllowed) {
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer) < 0) {
                        if (endAllowed && buffer.position() == 0) {
                            return false;
                        }
                        throw new EOFException("truncated");
                    }
                }
                return true;
            } catch (EOFException e) {
                throw failure("is truncated");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private RunFailure failure(String problem) {
            return RunFailure.invalidArgument(name, path.getFileName() + " " + problem);
        }

        @Override
        public void close() {
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Read-only file: nothing to lose.
        }
    }
}
