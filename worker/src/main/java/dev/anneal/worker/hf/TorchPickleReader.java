package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Reads the tensors of a {@code pytorch_model.bin} written by {@code torch.save} (the zip format of torch
 * 1.6 and later: {@code <archive>/data.pkl} holding the state dict, {@code <archive>/data/<key>} holding
 * the raw little-endian storages), single or sharded by {@code pytorch_model.bin.index.json}.
 *
 * <p>The pickle is interpreted by {@link RestrictedUnpickler}, which only rebuilds tensors: a file that
 * references any other Python global fails with {@link UnsafePickleException} and nothing in it is
 * executed. Every tensor's storage record is checked to exist and be large enough before any read. The
 * legacy non-zip format of torch before 1.6 is read too ({@link LegacyTorchFormat}), except storage views.
 */
public final class TorchPickleReader implements CheckpointTensors {
    public static final String SINGLE_FILE = "pytorch_model.bin";
    public static final String INDEX_FILE = "pytorch_model.bin.index.json";
    /** data.pkl of a state dict is kilobytes to a few megabytes; a huge one is refused rather than read. */
    static final long MAX_PICKLE_BYTES = 256L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Where a tensor lives: its description, its file and either the zip directory that holds its
     * storages or, for the legacy format (archive null), the file position of its storage.
     */
    private record Located(TorchTensor tensor, Path file, String archive, long storageStart) {
    }

    private final Map<String, Located> tensors;

    private TorchPickleReader(Map<String, Located> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    /** True when {@code dir} holds {@code pytorch_model.bin} or its shard index. */
    public static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE_FILE)) || Files.isRegularFile(dir.resolve(INDEX_FILE));
    }

    /** Opens a model directory, a single {@code .bin} file, or a {@code .bin.index.json} shard index. */
    public static TorchPickleReader open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            if (Files.isRegularFile(path.resolve(SINGLE_FILE))) {
                return openFile(path.resolve(SINGLE_FILE));
            }
            if (Files.isRegularFile(path.resolve(INDEX_FILE))) {
                return openIndex(path.resolve(INDEX_FILE));
            }
            throw new NoSuchFileException(path.toString(), null, "no " + SINGLE_FILE + " or " + INDEX_FILE);
        }
        if (path.getFileName().toString().endsWith(".index.json")) {
            return openIndex(path);
        }
        return openFile(path);
    }

    private static TorchPickleReader openFile(Path file) throws IOException {
        Map<String, Located> tensors = new TreeMap<>();
        readArchive(file, tensors);
        return new TorchPickleReader(tensors);
    }

    private static TorchPickleReader openIndex(Path indexFile) throws IOException {
        JsonNode index;
        try {
            index = JSON.readTree(indexFile.toFile());
        } catch (JsonProcessingException e) {
            throw new TorchPickleException(indexFile + ": shard index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode weightMap = index == null ? null : index.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new TorchPickleException(indexFile + ": shard index has no weight_map object");
        }
        Path dir = indexFile.toAbsolutePath().getParent().normalize();
        Map<String, Map<String, Located>> shards = new TreeMap<>();
        Map<String, Located> tensors = new TreeMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String shardName = entry.getValue().asText("");
            Path shard = dir.resolve(shardName).normalize();
            if (shardName.isEmpty() || !dir.equals(shard.getParent())) {
                throw new TorchPickleException(indexFile + ": weight_map entry '" + entry.getKey() + "' names shard '"
                        + shardName + "', which is not a file in the model directory");
            }
            Map<String, Located> shardTensors = shards.get(shardName);
            if (shardTensors == null) {
                if (!Files.isRegularFile(shard)) {
                    throw new NoSuchFileException(shard.toString(), null, "shard named by " + indexFile.getFileName() + " is missing");
                }
                shardTensors = new TreeMap<>();
                readArchive(shard, shardTensors);
                shards.put(shardName, shardTensors);
            }
            Located tensor = shardTensors.get(entry.getKey());
            if (tensor == null) {
                throw new TorchPickleException(indexFile + ": weight_map puts '" + entry.getKey() + "' in " + shardName
                        + ", but that shard has no such tensor");
            }
            tensors.put(entry.getKey(), tensor);
        }
        return new TorchPickleReader(tensors);
    }

    /** Parses the state dict of one file and checks every storage it references. */
    private static void readArchive(Path file, Map<String, Located> out) throws IOException {
        if (isLegacy(file)) {
            LegacyTorchFormat.read(file, MAX_PICKLE_BYTES).forEach((name, entry) ->
                    out.put(name, new Located(entry.tensor(), file, null, entry.storageStart())));
            return;
        }
        try (ZipFile zip = openZip(file)) {
            String archive = archiveDirectory(zip, file);
            ZipEntry byteOrder = zip.getEntry(archive + "/byteorder");
            if (byteOrder != null) {
                String order = new String(readEntry(zip, byteOrder, 16, file), StandardCharsets.US_ASCII).trim();
                if (!order.equals("little")) {
                    throw new TorchPickleException(file + ": storages are stored " + order
                            + "-endian; only little-endian checkpoints are supported");
                }
            }
            ZipEntry pickle = zip.getEntry(archive + "/data.pkl");
            Object root = RestrictedUnpickler.load(file.toString(), readEntry(zip, pickle, MAX_PICKLE_BYTES, file));
            if (!(root instanceof Map<?, ?> stateDict)) {
                throw new TorchPickleException(file + ": data.pkl holds " + (root == null ? "None" : root.getClass().getSimpleName())
                        + ", not a state dict (a mapping of names to tensors)");
            }
            for (Map.Entry<?, ?> e : stateDict.entrySet()) {
                if (!(e.getKey() instanceof String name)) {
                    throw new TorchPickleException(file + ": state dict key " + e.getKey() + " is not a string");
                }
                if (!(e.getValue() instanceof RestrictedUnpickler.Tensor t)) {
                    throw new TorchPickleException(file + ": state dict entry '" + name + "' is not a tensor");
                }
                RestrictedUnpickler.Storage s = t.storage();
                ZipEntry data = zip.getEntry(archive + "/data/" + s.key());
                if (data == null) {
                    throw new TorchPickleException(file + ": tensor '" + name + "' uses storage '" + s.key()
                            + "', but the archive has no record " + archive + "/data/" + s.key() + " (truncated?)");
                }
                long needed;
                try {
                    needed = Math.multiplyExact(s.elements(), s.dtype().bytes());
                    new TorchTensor(name, s.dtype(), s.key(), s.elements(), t.offset(), t.shape(), t.stride()).elements();
                } catch (ArithmeticException overflow) {
                    throw new TorchPickleException(file + ": tensor '" + name + "' has a size that overflows", overflow);
                }
                if (data.getSize() >= 0 && data.getSize() < needed) {
                    throw new TorchPickleException(file + ": storage '" + s.key() + "' of tensor '" + name + "' has "
                            + data.getSize() + " bytes but " + s.elements() + " x " + s.dtype() + " needs " + needed);
                }
                TorchTensor tensor = new TorchTensor(name, s.dtype(), s.key(), s.elements(), t.offset(), t.shape(), t.stride());
                out.put(name, new Located(tensor, file, archive, -1));
            }
        }
    }

    private static boolean isLegacy(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int first = in.read();
            return first >= 0 && LegacyTorchFormat.looksLegacy((byte) first);
        }
    }

    private static ZipFile openZip(Path file) throws IOException {
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new TorchPickleException(file + ": not a torch checkpoint (neither a zip archive nor the legacy pickle"
                    + " format: " + e.getMessage() + ")", e);
        }
    }

    /** The top directory of the archive ("archive", or the file's stem for older torch versions). */
    private static String archiveDirectory(ZipFile zip, Path file) throws TorchPickleException {
        List<String> found = new ArrayList<>();
        zip.stream().map(ZipEntry::getName)
                .filter(n -> n.endsWith("/data.pkl") && n.indexOf('/') == n.length() - "/data.pkl".length())
                .forEach(n -> found.add(n.substring(0, n.length() - "/data.pkl".length())));
        if (found.size() != 1) {
            throw new TorchPickleException(file + ": expected exactly one <archive>/data.pkl in the zip, found " + found.size()
                    + (found.isEmpty() ? " (not a torch.save checkpoint, or truncated)" : ": " + found));
        }
        return found.get(0);
    }

    private static byte[] readEntry(ZipFile zip, ZipEntry entry, long limit, Path file) throws IOException {
        if (entry.getSize() > limit) {
            throw new TorchPickleException(file + ": " + entry.getName() + " is " + entry.getSize() + " bytes, over the "
                    + limit + "-byte limit");
        }
        try (InputStream in = zip.getInputStream(entry)) {
            byte[] bytes = in.readNBytes((int) Math.min(limit, Integer.MAX_VALUE - 8));
            if (entry.getSize() >= 0 && bytes.length != entry.getSize()) {
                throw new TorchPickleException(file + ": " + entry.getName() + " ends after " + bytes.length + " of "
                        + entry.getSize() + " bytes (truncated?)");
            }
            return bytes;
        } catch (ZipException e) {
            throw new TorchPickleException(file + ": cannot read " + entry.getName() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    /** The tensor's description; fails when absent. */
    public TorchTensor tensor(String name) {
        return located(name).tensor();
    }

    @Override
    public long[] shape(String name) {
        return tensor(name).shape();
    }

    @Override
    public SafetensorsDtype dtype(String name) {
        return tensor(name).dtype();
    }

    @Override
    public String format() {
        return SINGLE_FILE;
    }

    private Located located(String name) {
        Located t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in the torch checkpoint");
        }
        return t;
    }

    /** Reads a tensor (contiguous or strided) into {@code manager}; floats are converted to {@code computeType}. */
    @Override
    public NDArray read(String name, NDManager manager, DataType computeType) throws IOException {
        Located located = located(name);
        TorchTensor t = located.tensor();
        int size = t.dtype().bytes();
        long byteCount = Math.multiplyExact(t.elements(), size);
        if (byteCount > Integer.MAX_VALUE) {
            throw new TorchPickleException(located.file() + ": tensor '" + name + "' is over 2 GiB; not supported");
        }
        ByteBuffer out = ByteBuffer.allocateDirect((int) byteCount).order(ByteOrder.LITTLE_ENDIAN);
        if (located.archive() == null) {
            readLegacy(located, t, size, out);
            out.flip();
            return TensorBytes.toArray(out, t.dtype(), new Shape(t.shape()), manager, computeType);
        }
        try (ZipFile zip = openZip(located.file())) {
            ZipEntry entry = zip.getEntry(located.archive() + "/data/" + t.storageKey());
            if (entry == null) {
                throw new TorchPickleException(located.file() + ": storage record of '" + name + "' disappeared");
            }
            try (InputStream in = zip.getInputStream(entry)) {
                if (t.isContiguous()) {
                    in.skipNBytes(t.storageOffset() * size);
                    out.put(readExactly(in, (int) byteCount, located, name));
                } else {
                    long storageBytes = Math.multiplyExact(t.storageElements(), size);
                    if (storageBytes > Integer.MAX_VALUE) {
                        throw new TorchPickleException(located.file() + ": strided tensor '" + name
                                + "' views a storage over 2 GiB; not supported");
                    }
                    gather(readExactly(in, (int) storageBytes, located, name), t, size, out);
                }
            } catch (java.io.EOFException e) {
                throw new TorchPickleException(located.file() + ": storage of '" + name + "' ends early (truncated?)", e);
            }
        }
        out.flip();
        return TensorBytes.toArray(out, t.dtype(), new Shape(t.shape()), manager, computeType);
    }

    private static void readLegacy(Located located, TorchTensor t, int size, ByteBuffer out) throws IOException {
        try (FileChannel channel = FileChannel.open(located.file(), StandardOpenOption.READ)) {
            if (t.isContiguous()) {
                LegacyTorchFormat.readFully(channel, out, located.storageStart() + t.storageOffset() * size, located.file());
                return;
            }
            long storageBytes = Math.multiplyExact(t.storageElements(), size);
            if (storageBytes > Integer.MAX_VALUE) {
                throw new TorchPickleException(located.file() + ": strided tensor '" + t.name()
                        + "' views a storage over 2 GiB; not supported");
            }
            ByteBuffer storage = ByteBuffer.allocate((int) storageBytes);
            LegacyTorchFormat.readFully(channel, storage, located.storageStart(), located.file());
            gather(storage.array(), t, size, out);
        }
    }

    private static byte[] readExactly(InputStream in, int count, Located located, String name) throws IOException {
        byte[] bytes = in.readNBytes(count);
        if (bytes.length != count) {
            throw new TorchPickleException(located.file() + ": storage of '" + name + "' has " + bytes.length
                    + " bytes where " + count + " were expected (truncated?)");
        }
        return bytes;
    }

    /** Copies the strided view's elements in row-major order. */
    private static void gather(byte[] storage, TorchTensor t, int size, ByteBuffer out) {
        long[] shape = t.shape();
        long[] stride = t.stride();
        long count = t.elements();
        long[] index = new long[shape.length];
        for (long n = 0; n < count; n++) {
            long element = t.storageOffset();
            for (int d = 0; d < shape.length; d++) {
                element += index[d] * stride[d];
            }
            out.put(storage, (int) (element * size), size);
            for (int d = shape.length - 1; d >= 0; d--) {
                if (++index[d] < shape[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
    }
}
