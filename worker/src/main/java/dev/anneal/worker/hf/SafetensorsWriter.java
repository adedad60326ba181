package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes tensors as one safetensors file the way Hugging Face does: a {@code __metadata__} entry
 * ({@code {"format":"pt"}} by default), tensors laid out by descending dtype then name, the header padded
 * with spaces to a multiple of 8 bytes, little-endian data. The file is written atomically.
 */
public final class SafetensorsWriter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafetensorsWriter() {
    }

    /** Writes {@code tensors} with metadata {@code {"format":"pt"}}. */
    public static void write(Path file, Map<String, NDArray> tensors) throws IOException {
        write(file, tensors, Map.of("format", "pt"));
    }

    public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) throws IOException {
        List<Map.Entry<String, NDArray>> ordered = new ArrayList<>(tensors.entrySet());
        ordered.sort(Comparator.<Map.Entry<String, NDArray>, Integer>comparing(
                        e -> -SafetensorsDtype.of(e.getValue().getDataType()).ordinal())
                .thenComparing(Map.Entry::getKey));

        ObjectNode header = JsonNodeFactory.instance.objectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            new LinkedHashMap<>(metadata).forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, NDArray> e : ordered) {
            NDArray array = e.getValue();
            SafetensorsDtype dtype = SafetensorsDtype.of(array.getDataType());
            long length = array.size() * dtype.bytes();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", dtype.name());
            ArrayNode shape = info.putArray("shape");
            for (long dim : array.getShape().getShape()) {
                shape.add(dim);
            }
            ArrayNode offsets = info.putArray("data_offsets");
            offsets.add(offset);
            offsets.add(offset + length);
            offset += length;
        }
        byte[] headerJson = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padding = (8 - headerJson.length % 8) % 8;
        ByteBuffer prefix = ByteBuffer.allocate(8 + headerJson.length + padding).order(ByteOrder.LITTLE_ENDIAN);
        prefix.putLong(headerJson.length + padding).put(headerJson);
        for (int i = 0; i < padding; i++) {
            prefix.put((byte) ' ');
        }
        AtomicFiles.write(file, out -> {
            out.write(prefix.array());
            for (Map.Entry<String, NDArray> e : ordered) {
                ByteBuffer data = e.getValue().toByteBuffer();
                if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
                    throw new IOException("writing safetensors on a big-endian platform is not supported");
                }
                byte[] chunk = new byte[Math.min(data.remaining(), 1 << 20)];
                while (data.hasRemaining()) {
                    int n = Math.min(chunk.length, data.remaining());
                    data.get(chunk, 0, n);
                    out.write(chunk, 0, n);
                }
            }
        });
    }
}
