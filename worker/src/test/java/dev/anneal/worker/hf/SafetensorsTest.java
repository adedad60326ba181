package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsTest {
    @TempDir
    Path dir;
    NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void writesHuggingFaceLayoutAndReadsItBack() throws IOException {
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put("b.weight", manager.create(new float[] {1, 2, 3, 4, 5, 6}, new Shape(2, 3)));
        tensors.put("a.bias", manager.create(new float[] {-1.5f}, new Shape(1)));
        tensors.put("ids", manager.create(new long[] {7, 8}, new Shape(2)));
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, tensors);

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, (8 + headerLength) % 8, "header padded to 8 bytes");
        String header = new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"format\":\"pt\"}"), header);
        assertTrue(header.indexOf("\"ids\"") < header.indexOf("\"a.bias\""), "I64 before F32 (descending dtype), then names");
        assertTrue(header.indexOf("\"a.bias\"") < header.indexOf("\"b.weight\""), header);

        SafetensorsReader reader = SafetensorsReader.open(dir);
        assertEquals(List.of("a.bias", "b.weight", "ids"), List.copyOf(reader.names()));
        assertEquals("pt", reader.metadata().get("format"));
        NDArray w = reader.read("b.weight", manager, DataType.FLOAT32);
        assertEquals(new Shape(2, 3), w.getShape());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloatArray());
        assertArrayEquals(new long[] {7, 8}, reader.read("ids", manager, DataType.FLOAT32).toLongArray());
    }

    @Test
    void widensHalfAndBfloat16Exactly() throws IOException {
        // fp16: 1.0 = 0x3C00, -2.0 = 0xC000, 65504 = 0x7BFF, smallest subnormal 2^-24 = 0x0001
        // bf16: 1.0 = 0x3F80, -0.5 = 0xBF00, 3.140625 = 0x4049
        Path file = dir.resolve("half.safetensors");
        writeRaw(file, "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[8,14]}}",
                shorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x3F80, 0xBF00, 0x4049));
        SafetensorsReader reader = SafetensorsReader.open(file);
        assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, reader.read("h", manager, DataType.FLOAT32).toFloatArray());
        NDArray b = reader.read("b", manager, DataType.FLOAT32);
        assertEquals(DataType.FLOAT32, b.getDataType());
        assertArrayEquals(new float[] {1f, -0.5f, 3.140625f}, b.toFloatArray());
        assertEquals(DataType.FLOAT16, reader.read("b", manager, DataType.FLOAT16).getDataType(), "compute type is a setting");
        assertThrows(IllegalArgumentException.class, () -> reader.read("b", manager, DataType.BFLOAT16),
                "bf16 compute would abort the JVM inside DJL's PyTorch engine");
    }

    @Test
    void readsShardsThroughTheIndex() throws IOException {
        SafetensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"),
                Map.of("x", manager.create(new float[] {1, 2}, new Shape(2))));
        SafetensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"),
                Map.of("y", manager.create(new float[] {3}, new Shape(1))));
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"metadata\":{\"total_size\":12},\"weight_map\":"
                + "{\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\"}}");
        SafetensorsReader reader = SafetensorsReader.open(dir);
        assertEquals(List.of("x", "y"), List.copyOf(reader.names()));
        assertArrayEquals(new float[] {3}, reader.read("y", manager, DataType.FLOAT32).toFloatArray());
    }

    @Test
    void refusesIndexEntriesOutsideTheDirectory() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"x\":\"../elsewhere.safetensors\"}}");
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(dir));
        assertTrue(e.getMessage().contains("not a file in the model directory"), e.getMessage());
    }

    @Test
    void truncatedFileFailsClearly() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafetensorsWriter.write(file, Map.of("w", manager.create(new float[64], new Shape(8, 8))));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - 10));
        assertFormatError(file, "run past the end");
        Files.write(file, Arrays.copyOf(bytes, 5));
        assertFormatError(file, "too short");
    }

    @Test
    void headerLengthPastEndOfFileFailsClearly() throws IOException {
        Path file = dir.resolve("hostile.safetensors");
        ByteBuffer buffer = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1_000_000).put("{}      ".getBytes(StandardCharsets.US_ASCII));
        Files.write(file, buffer.array());
        assertFormatError(file, "past the end");
        Files.write(file, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-1).array());
        assertFormatError(file, "out of range");
    }

    @Test
    void inconsistentHeadersFailClearly() throws IOException {
        Path file = dir.resolve("bad.safetensors");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,8]}}", new byte[8]);
        assertFormatError(file, "needs 16");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"v\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]);
        assertFormatError(file, "overlap");
        writeRaw(file, "{\"w\":{\"dtype\":\"Q4\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]);
        assertFormatError(file, "unsupported or missing dtype");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", new byte[8]);
        assertFormatError(file, "non-negative");
        writeRaw(file, "[1,2]", new byte[0]);
        assertFormatError(file, "JSON object");
        writeRaw(file, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", new byte[8]);
        assertFormatError(file, "overflows");
    }

    private void assertFormatError(Path file, String expected) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsReader.open(file));
        assertTrue(e.getMessage().contains(expected) && e.getMessage().contains(file.getFileName().toString()),
                "message should name the file and say '" + expected + "': " + e.getMessage());
    }

    private static void writeRaw(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buffer = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(json.length).put(json).put(data);
        Files.write(file, buffer.array());
    }

    private static byte[] shorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int v : values) {
            buffer.putShort((short) v);
        }
        return buffer.array();
    }
}
