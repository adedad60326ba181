package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** pytorch_model.bin reading: tensor layouts and dtypes, and hostile or broken files failing cleanly. */
class TorchPickleReaderTest {
    @TempDir
    Path tmp;

    /** A state dict {weight: [2,3] fp32, weight_t: its transpose (a strided view), half: fp16, brain: bf16}. */
    private Path validArchive() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("weight").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1});
        p.text("weight_t").tensor("FloatStorage", "0", 6, 0, new long[] {3, 2}, new long[] {1, 3});
        p.text("tail").tensor("FloatStorage", "0", 6, 4, new long[] {2}, new long[] {1});
        p.text("half").tensor("HalfStorage", "1", 2, 0, new long[] {2}, new long[] {1});
        p.text("brain").tensor("BFloat16Storage", "2", 2, 0, new long[] {2}, new long[] {1});
        p.text("steps").tensor("LongStorage", "3", 1, 0, new long[] {}, new long[] {});
        p.op('u').stop();
        ByteBuffer floats = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : new float[] {1, 2, 3, 4, 5, 6}) {
            floats.putFloat(f);
        }
        // fp16 1.5 = 0x3E00, -2 = 0xC000; bf16 of 3.0 = 0x4040, 0.5 = 0x3F00.
        byte[] half = {0x00, 0x3E, 0x00, (byte) 0xC0};
        byte[] brain = {0x40, 0x40, 0x00, 0x3F};
        byte[] steps = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(42).array();
        Path file = tmp.resolve("pytorch_model.bin");
        PickleBytes.writeArchive(file, p.bytes(), Map.of("0", floats.array(), "1", half, "2", brain, "3", steps));
        return file;
    }

    @Test
    void readsContiguousStridedOffsetHalfBfloatAndIntegerTensors() throws IOException {
        TorchPickleReader reader = TorchPickleReader.open(validArchive());
        assertEquals(Set.of("weight", "weight_t", "tail", "half", "brain", "steps"), reader.names());
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weight = reader.read("weight", manager, DataType.FLOAT32);
            assertArrayEquals(new long[] {2, 3}, weight.getShape().getShape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, weight.toFloatArray());
            assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, reader.read("weight_t", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {5, 6}, reader.read("tail", manager, DataType.FLOAT32).toFloatArray());
            assertEquals(SafetensorsDtype.F16, reader.dtype("half"));
            assertArrayEquals(new float[] {1.5f, -2f}, reader.read("half", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {3f, 0.5f}, reader.read("brain", manager, DataType.FLOAT32).toFloatArray());
            NDArray steps = reader.read("steps", manager, DataType.FLOAT32);
            assertEquals(DataType.INT64, steps.getDataType());
            assertEquals(42L, steps.getLong());
        }
    }

    @Test
    void globalOsSystemIsRefusedByName() throws IOException {
        byte[] pickle = new PickleBytes().proto(2).global("os", "system").text("echo pwned").op(0x85).reduce().stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> open(pickle));
        assertEquals("os.system", e.global());
        assertTrue(e.getMessage().contains("'os.system'"), e.getMessage());
    }

    @Test
    void builtinsEvalThroughStackGlobalIsRefusedByName() throws IOException {
        byte[] pickle = new PickleBytes().proto(4).shortText("builtins").shortText("eval").op(0x93)
                .shortText("__import__('os').system('id')").op(0x85).reduce().stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> open(pickle));
        assertEquals("builtins.eval", e.global());
    }

    @Test
    void aForbiddenGlobalInsideAnOtherwiseValidStateDictIsRefused() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("weight").tensor("FloatStorage", "0", 1, 0, new long[] {1}, new long[] {1});
        // A tensor subclass rebuild would instantiate an arbitrary class: not on the allowlist.
        p.text("evil").global("torch._utils", "_rebuild_from_type_v2").op(')').reduce();
        byte[] pickle = p.op('u').stop().bytes();
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> open(pickle));
        assertEquals("torch._utils._rebuild_from_type_v2", e.global());
    }

    @Test
    void classInstantiatingOpcodesAreRefused() throws IOException {
        byte[] inst = new PickleBytes().proto(2).mark().text("id").raw("ios\nsystem\n".getBytes()).stop().bytes();
        TorchPickleException e = assertThrows(TorchPickleException.class, () -> open(inst));
        assertTrue(e.getMessage().contains("instantiates a class"), e.getMessage());
        byte[] newobj = new PickleBytes().proto(2).op(')').op(')').op(0x81).stop().bytes();
        assertThrows(TorchPickleException.class, () -> open(newobj));
    }

    @Test
    void hostileCheckpointFailsTheModelLoadCleanly() throws IOException {
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        Files.copy(HfReference.generatedDir().resolve("bert/BertModel/config.json"), model.resolve("config.json"));
        byte[] pickle = new PickleBytes().proto(2).global("os", "system").text("touch /tmp/pwned").op(0x85).reduce().stop().bytes();
        PickleBytes.writeArchive(model.resolve("pytorch_model.bin"), pickle, Map.of());
        try (TransformerModel bert = ModelFamilies.create(HfConfig.read(model), HeadType.BASE)) {
            UnsafePickleException e = assertThrows(UnsafePickleException.class,
                    () -> HfCheckpoint.load(model, bert, LoadOptions.strict()));
            assertEquals("os.system", e.global());
        }
    }

    @Test
    void storageSmallerThanItsTensorIsReported() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("weight").tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1});
        Path file = tmp.resolve("short.bin");
        PickleBytes.writeArchive(file, p.op('u').stop().bytes(), Map.of("0", new byte[8]));
        TorchPickleException e = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(file));
        assertTrue(e.getMessage().contains("storage '0'") && e.getMessage().contains("needs 24"), e.getMessage());
    }

    @Test
    void viewPastTheEndOfItsStorageIsReported() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("weight").tensor("FloatStorage", "0", 4, 2, new long[] {2, 2}, new long[] {2, 1});
        Path file = tmp.resolve("view.bin");
        PickleBytes.writeArchive(file, p.op('u').stop().bytes(), Map.of("0", new byte[16]));
        TorchPickleException e = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(file));
        assertTrue(e.getMessage().contains("reads element 5"), e.getMessage());
    }

    @Test
    void missingStorageRecordIsReported() throws IOException {
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("weight").tensor("FloatStorage", "7", 1, 0, new long[] {1}, new long[] {1});
        Path file = tmp.resolve("missing.bin");
        PickleBytes.writeArchive(file, p.op('u').stop().bytes(), Map.of());
        TorchPickleException e = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(file));
        assertTrue(e.getMessage().contains("archive/data/7"), e.getMessage());
    }

    @Test
    void truncatedPickleAndTruncatedZipFailCleanly() throws IOException {
        Path valid = validArchive();
        byte[] pickle = new PickleBytes().proto(2).op('}').mark().text("weight")
                .tensor("FloatStorage", "0", 6, 0, new long[] {2, 3}, new long[] {3, 1}).op('u').stop().bytes();
        TorchPickleException cut = assertThrows(TorchPickleException.class, () -> open(Arrays.copyOf(pickle, pickle.length / 2)));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());

        byte[] zip = Files.readAllBytes(valid);
        Path half = tmp.resolve("half.bin");
        Files.write(half, Arrays.copyOf(zip, zip.length / 2));
        assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(half));
    }

    @Test
    void legacyFormatOfOldTorchIsRead() throws IOException {
        java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
        file.writeBytes(new PickleBytes().proto(2).long1(new java.math.BigInteger("1950a86a20f9469cfc6c", 16)).stop().bytes());
        file.writeBytes(new PickleBytes().proto(2).integer(1001).stop().bytes());
        file.writeBytes(new PickleBytes().proto(2).op('}').mark().text("little_endian").op(0x88).op('u').stop().bytes());
        PickleBytes state = new PickleBytes().proto(2).op('}').mark();
        state.text("weight").legacyTensor("FloatStorage", "140", 4, 0, new long[] {2, 2}, new long[] {2, 1});
        state.text("weight_t").legacyTensor("FloatStorage", "140", 4, 0, new long[] {2, 2}, new long[] {1, 2});
        state.text("half").legacyTensor("HalfStorage", "77", 1, 0, new long[] {1}, new long[] {1});
        file.writeBytes(state.op('u').stop().bytes());
        file.writeBytes(new PickleBytes().proto(2).op(']').mark().text("140").text("77").op('e').stop().bytes());
        ByteBuffer floats = ByteBuffer.allocate(8 + 16 + 8 + 2).order(ByteOrder.LITTLE_ENDIAN);
        floats.putLong(4).putFloat(1).putFloat(2).putFloat(3).putFloat(4).putLong(1).putShort((short) 0x3E00);
        file.writeBytes(floats.array());
        Path legacy = tmp.resolve("legacy.bin");
        Files.write(legacy, file.toByteArray());

        TorchPickleReader reader = TorchPickleReader.open(legacy);
        assertEquals(Set.of("weight", "weight_t", "half"), reader.names());
        try (NDManager manager = NDManager.newBaseManager()) {
            assertArrayEquals(new float[] {1, 2, 3, 4}, reader.read("weight", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {1, 3, 2, 4}, reader.read("weight_t", manager, DataType.FLOAT32).toFloatArray());
            assertArrayEquals(new float[] {1.5f}, reader.read("half", manager, DataType.FLOAT32).toFloatArray());
        }
        byte[] bytes = file.toByteArray();
        Path truncated = tmp.resolve("legacy-truncated.bin");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length - 3));
        TorchPickleException cut = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(truncated));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
    }

    @Test
    void wrongMagicAndGarbageAreNotTorchCheckpoints() throws IOException {
        Path wrongMagic = tmp.resolve("pickle.bin");
        Files.write(wrongMagic, new PickleBytes().proto(2).integer(12345).stop().bytes());
        TorchPickleException e = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(wrongMagic));
        assertTrue(e.getMessage().contains("magic number"), e.getMessage());
        Path garbage = tmp.resolve("garbage.bin");
        Files.write(garbage, "not a checkpoint".getBytes());
        e = assertThrows(TorchPickleException.class, () -> TorchPickleReader.open(garbage));
        assertTrue(e.getMessage().contains("not a torch checkpoint"), e.getMessage());
    }

    @Test
    void hostileLegacyPickleIsRefusedToo() throws IOException {
        Path legacy = tmp.resolve("hostile-legacy.bin");
        Files.write(legacy, new PickleBytes().proto(2).global("posix", "system").text("id").op(0x85).reduce().stop().bytes());
        UnsafePickleException e = assertThrows(UnsafePickleException.class, () -> TorchPickleReader.open(legacy));
        assertEquals("posix.system", e.global());
    }

    private void open(byte[] pickle) throws IOException {
        Path file = Files.createTempFile(tmp, "hostile", ".bin");
        PickleBytes.writeArchive(file, pickle, new LinkedHashMap<>());
        TorchPickleReader.open(file);
    }
}
