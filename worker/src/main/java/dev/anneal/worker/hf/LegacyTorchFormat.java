package dev.anneal.worker.hf;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The legacy {@code torch.save} layout of torch before 1.6 (still found in older hub checkpoints): five
 * pickles in a row (magic number, protocol 1001, system info, the state dict, the sorted storage keys)
 * followed by each storage as an int64 element count and its raw bytes. The pickles go through the same
 * {@link RestrictedUnpickler} as the zip format.
 */
final class LegacyTorchFormat {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);
    static final long PROTOCOL = 1001;

    /** A tensor of a legacy file and the absolute file position of its storage's first byte. */
    record Entry(TorchTensor tensor, long storageStart) {
    }

    private LegacyTorchFormat() {
    }

    /** True when the file starts with a pickle (0x80 PROTO), as legacy files do and zip files do not. */
    static boolean looksLegacy(byte first) {
        return (first & 0xff) == 0x80;
    }

    static Map<String, Entry> read(Path file, long maxPickleBytes) throws IOException {
        String source = file.toString();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(size, maxPickleBytes));
            readFully(channel, head, 0, file);
            head.flip();
            Object magic = RestrictedUnpickler.next(source, head);
            if (!MAGIC.equals(magic instanceof Long l ? BigInteger.valueOf(l) : magic)) {
                throw new TorchPickleException(file + ": starts with a pickle but not with torch.save's magic number;"
                        + " not a torch checkpoint");
            }
            Object protocol = RestrictedUnpickler.next(source, head);
            if (!Long.valueOf(PROTOCOL).equals(protocol)) {
                throw new TorchPickleException(file + ": legacy torch.save protocol " + protocol + " is not supported (only "
                        + PROTOCOL + ")");
            }
            if (!(RestrictedUnpickler.next(source, head) instanceof Map<?, ?> sysInfo)
                    || !Boolean.TRUE.equals(sysInfo.get("little_endian"))) {
                throw new TorchPickleException(file + ": legacy checkpoint was not written on a little-endian machine;"
                        + " not supported");
            }
            Object root = RestrictedUnpickler.next(source, head);
            if (!(root instanceof Map<?, ?> stateDict)) {
                throw new TorchPickleException(file + ": the legacy checkpoint holds no state dict (a mapping of names to tensors)");
            }
            if (!(RestrictedUnpickler.next(source, head) instanceof List<?> keys)) {
                throw new TorchPickleException(file + ": the legacy checkpoint has no list of storage keys");
            }
            Map<String, RestrictedUnpickler.Storage> storages = new LinkedHashMap<>();
            stateDict.values().forEach(v -> {
                if (v instanceof RestrictedUnpickler.Tensor t) {
                    storages.put(t.storage().key(), t.storage());
                }
            });
            Map<String, Long> starts = new LinkedHashMap<>();
            long position = head.position();
            ByteBuffer count = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            for (Object key : keys) {
                RestrictedUnpickler.Storage storage = storages.get(String.valueOf(key));
                if (storage == null) {
                    throw new TorchPickleException(file + ": storage key " + key + " is listed but used by no tensor");
                }
                count.clear();
                readFully(channel, count, position, file);
                long elements = count.flip().getLong();
                if (elements != storage.elements()) {
                    throw new TorchPickleException(file + ": storage '" + key + "' holds " + elements + " elements, its"
                            + " tensors declare " + storage.elements());
                }
                long start = position + 8;
                position = Math.addExact(start, Math.multiplyExact(elements, storage.dtype().bytes()));
                if (position > size) {
                    throw new TorchPickleException(file + ": storage '" + key + "' runs past the end of the "
                            + size + "-byte file (truncated?)");
                }
                starts.put(storage.key(), start);
            }
            Map<String, Entry> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof RestrictedUnpickler.Tensor t)) {
                    throw new TorchPickleException(file + ": state dict entry " + e.getKey() + " is not a named tensor");
                }
                Long start = starts.get(t.storage().key());
                if (start == null) {
                    throw new TorchPickleException(file + ": tensor '" + name + "' uses storage '" + t.storage().key()
                            + "', which the file does not contain");
                }
                RestrictedUnpickler.Storage s = t.storage();
                out.put(name, new Entry(new TorchTensor(name, s.dtype(), s.key(), s.elements(), t.offset(), t.shape(),
                        t.stride()), start));
            }
            return out;
        } catch (ArithmeticException e) {
            throw new TorchPickleException(file + ": a storage size overflows", e);
        }
    }

    static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new TorchPickleException(file + ": unexpected end of file (truncated?)");
            }
            position += n;
        }
    }
}
