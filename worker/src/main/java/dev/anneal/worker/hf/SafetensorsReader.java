package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.tensor.TorchOwned;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads tensors from a {@code model.safetensors} file or from the shards listed in
 * {@code model.safetensors.index.json}.
 *
 * <p>The header of every file is validated before any tensor is read: its length must fit in the file,
 * it must be a JSON object whose entries have a known dtype, a shape of non-negative integers and a
 * byte range inside the data section whose size matches the shape; ranges may not overlap. Floating
 * point tensors are converted to the requested compute type (fp16/bf16 are widened exactly); bf16 data is
 * never handed to the engine as bf16, which DJL 0.36's PyTorch engine cannot create without aborting.
 */
public final class SafetensorsReader {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    /** Same bound as the reference implementation: a header over 100 MB is refused rather than parsed. */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, SafetensorsTensor> tensors;
    private final Map<String, String> metadata;

    private SafetensorsReader(Map<String, SafetensorsTensor> tensors, Map<String, String> metadata) {
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** True when {@code dir} holds {@code model.safetensors} or a shard index. */
    public static boolean hasWeights(Path dir) {
        return Files.isRegularFile(dir.resolve(SINGLE_FILE)) || Files.isRegularFile(dir.resolve(INDEX_FILE));
    }

    /**
     * Opens a model directory ({@code model.safetensors}, else {@code model.safetensors.index.json}), a
     * single {@code .safetensors} file, or an index file.
     */
    public static SafetensorsReader open(Path path) throws IOException {
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

    private static SafetensorsReader openFile(Path file) throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        Map<String, SafetensorsTensor> tensors = readHeader(file, metadata);
        return new SafetensorsReader(tensors, metadata);
    }

    private static SafetensorsReader openIndex(Path indexFile) throws IOException {
        JsonNode index;
        try {
            index = JSON.readTree(indexFile.toFile());
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(indexFile + ": shard index is not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode weightMap = index == null ? null : index.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsFormatException(indexFile + ": shard index has no weight_map object");
        }
        Path dir = indexFile.toAbsolutePath().getParent().normalize();
        Map<String, Map<String, SafetensorsTensor>> shards = new TreeMap<>();
        Map<String, SafetensorsTensor> tensors = new TreeMap<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = weightMap.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String shardName = entry.getValue().asText("");
            Path shard = dir.resolve(shardName).normalize();
            if (shardName.isEmpty() || !shard.getParent().equals(dir)) {
                throw new SafetensorsFormatException(indexFile + ": weight_map entry '" + entry.getKey()
                        + "' names shard '" + shardName + "', which is not a file in the model directory");
            }
            Map<String, SafetensorsTensor> shardTensors = shards.get(shardName);
            if (shardTensors == null) {
                if (!Files.isRegularFile(shard)) {
                    throw new NoSuchFileException(shard.toString(), null, "shard named by " + indexFile.getFileName() + " is missing");
                }
                shardTensors = readHeader(shard, metadata);
                shards.put(shardName, shardTensors);
            }
            SafetensorsTensor tensor = shardTensors.get(entry.getKey());
            if (tensor == null) {
                throw new SafetensorsFormatException(indexFile + ": weight_map puts '" + entry.getKey() + "' in "
                        + shardName + ", but that shard has no such tensor");
            }
            tensors.put(entry.getKey(), tensor);
        }
        return new SafetensorsReader(tensors, metadata);
    }

    /** Every tensor name, sorted. */
    public Set<String> names() {
        return tensors.keySet();
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    /** Where the tensor lives; fails when absent. */
    public SafetensorsTensor tensor(String name) {
        SafetensorsTensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor named '" + name + "' in the safetensors weights");
        }
        return t;
    }

    /** The {@code __metadata__} entries (of all shards, merged). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * Reads a tensor into {@code manager}. Floating point tensors come back as {@code computeType}; integer
     * and boolean tensors keep their type.
     */
    public NDArray read(String name, NDManager manager, DataType computeType) throws IOException {
        if (computeType == DataType.BFLOAT16) {
            // Creating a bfloat16 tensor aborts the JVM inside DJL 0.36's PyTorch engine; refuse before that.
            throw new IllegalArgumentException("compute type bfloat16 is not supported by the DJL PyTorch engine; "
                    + "bf16 tensors are widened to float32 or float16");
        }
        SafetensorsTensor t = tensor(name);
        if (t.length() > Integer.MAX_VALUE) {
            throw new SafetensorsFormatException(t + ": tensors over 2 GiB are not supported");
        }
        ByteBuffer bytes = ByteBuffer.allocateDirect((int) t.length()).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(t.file(), StandardOpenOption.READ)) {
            long position = t.offset();
            while (bytes.hasRemaining()) {
                int n = channel.read(bytes, position);
                if (n < 0) {
                    throw new SafetensorsFormatException(t.file() + ": file ended inside tensor '" + name + "' (truncated?)");
                }
                position += n;
            }
        }
        bytes.flip();
        Shape shape = new Shape(t.shape());
        NDArray array;
        switch (t.dtype()) {
            case F16 -> array = manager.create(HalfFloats.halfToFloat(bytes), shape, DataType.FLOAT32);
            case BF16 -> array = manager.create(HalfFloats.bfloat16ToFloat(bytes), shape, DataType.FLOAT32);
            default -> array = manager.create(nativeOrder(bytes), shape, t.dtype().djlType());
        }
        if (t.dtype().isFloatingPoint() && array.getDataType() != computeType) {
            NDArray converted = array.toType(computeType, false);
            if (converted != array) {
                array.close();
                return converted;
            }
        }
        return TorchOwned.copyOf(array);
    }

    /** Reads every tensor, in name order. */
    public Map<String, NDArray> readAll(NDManager manager, DataType computeType) throws IOException {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (String name : names()) {
            out.put(name, read(name, manager, computeType));
        }
        return out;
    }

    private static ByteBuffer nativeOrder(ByteBuffer littleEndian) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            return littleEndian.order(ByteOrder.nativeOrder());
        }
        throw new UnsupportedOperationException("reading safetensors on a big-endian platform is not supported");
    }

    /** Parses and validates the header of one file; {@code metadata} receives its __metadata__. */
    static Map<String, SafetensorsTensor> readHeader(Path file, Map<String, String> metadata) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsFormatException(file + ": " + fileSize
                        + " bytes is too short for a safetensors file (the 8-byte header length is missing; truncated?)");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0, file);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsFormatException(file + ": header length " + Long.toUnsignedString(headerLength)
                        + " is out of range (2.." + MAX_HEADER_BYTES + " bytes); not a safetensors file or corrupt");
            }
            if (headerLength > fileSize - 8) {
                throw new SafetensorsFormatException(file + ": header length " + headerLength
                        + " runs past the end of the " + fileSize + "-byte file (truncated or corrupt)");
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8, file);
            String headerText;
            try {
                headerText = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(headerBytes.flip()).toString();
            } catch (CharacterCodingException e) {
                throw new SafetensorsFormatException(file + ": header is not valid UTF-8", e);
            }
            long dataStart = 8 + headerLength;
            return parseHeader(file, headerText, dataStart, fileSize - dataStart, metadata);
        }
    }

    private static Map<String, SafetensorsTensor> parseHeader(Path file, String text, long dataStart, long dataSize,
            Map<String, String> metadata) throws SafetensorsFormatException {
        JsonNode header;
        try {
            header = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (header == null || !header.isObject()) {
            throw new SafetensorsFormatException(file + ": header must be a JSON object");
        }
        Map<String, SafetensorsTensor> tensors = new TreeMap<>();
        List<long[]> ranges = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String name = entry.getKey();
            JsonNode info = entry.getValue();
            if ("__metadata__".equals(name)) {
                if (!info.isObject()) {
                    throw new SafetensorsFormatException(file + ": __metadata__ must be an object of strings");
                }
                info.fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
                continue;
            }
            String where = file + ": tensor '" + name + "'";
            if (!info.isObject()) {
                throw new SafetensorsFormatException(where + ": entry must be an object");
            }
            SafetensorsDtype dtype = SafetensorsDtype.parse(info.path("dtype").asText(""));
            if (dtype == null) {
                throw new SafetensorsFormatException(where + ": unsupported or missing dtype " + info.get("dtype"));
            }
            JsonNode shapeNode = info.get("shape");
            if (shapeNode == null || !shapeNode.isArray()) {
                throw new SafetensorsFormatException(where + ": shape must be an array");
            }
            long[] shape = new long[shapeNode.size()];
            long elements = 1;
            try {
                for (int i = 0; i < shape.length; i++) {
                    JsonNode dim = shapeNode.get(i);
                    if (!dim.isIntegralNumber() || !dim.canConvertToLong() || dim.asLong() < 0) {
                        throw new SafetensorsFormatException(where + ": shape " + shapeNode + " must hold non-negative integers");
                    }
                    shape[i] = dim.asLong();
                    elements = Math.multiplyExact(elements, shape[i]);
                }
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException(where + ": shape " + shapeNode + " overflows", e);
            }
            JsonNode offsets = info.get("data_offsets");
            if (offsets == null || !offsets.isArray() || offsets.size() != 2
                    || !offsets.get(0).canConvertToLong() || !offsets.get(1).canConvertToLong()
                    || !offsets.get(0).isIntegralNumber() || !offsets.get(1).isIntegralNumber()) {
                throw new SafetensorsFormatException(where + ": data_offsets must be [begin, end]");
            }
            long begin = offsets.get(0).asLong();
            long end = offsets.get(1).asLong();
            if (begin < 0 || end < begin) {
                throw new SafetensorsFormatException(where + ": data_offsets " + offsets + " are not an increasing range");
            }
            if (end > dataSize) {
                throw new SafetensorsFormatException(where + ": data_offsets " + offsets + " run past the end of the "
                        + dataSize + "-byte data section (truncated file?)");
            }
            long expected;
            try {
                expected = Math.multiplyExact(elements, dtype.bytes());
            } catch (ArithmeticException e) {
                throw new SafetensorsFormatException(where + ": size overflows", e);
            }
            if (end - begin != expected) {
                throw new SafetensorsFormatException(where + ": " + (end - begin) + " bytes in data_offsets " + offsets
                        + " but shape " + shapeNode + " of " + dtype + " needs " + expected);
            }
            ranges.add(new long[] {begin, end});
            tensors.put(name, new SafetensorsTensor(name, dtype, shape, file, dataStart + begin, end - begin));
        }
        ranges.sort(Comparator.<long[]>comparingLong(r -> r[0]).thenComparingLong(r -> r[1]));
        for (int i = 1; i < ranges.size(); i++) {
            if (ranges.get(i)[0] < ranges.get(i - 1)[1]) {
                throw new SafetensorsFormatException(file + ": tensors overlap in the data section at byte " + ranges.get(i)[0]);
            }
        }
        return tensors;
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position, Path file) throws IOException {
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, position);
            if (n < 0) {
                throw new SafetensorsFormatException(file + ": unexpected end of file (truncated?)");
            }
            position += n;
        }
    }
}
