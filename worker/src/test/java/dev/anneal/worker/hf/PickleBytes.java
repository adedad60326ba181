package dev.anneal.worker.hf;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/** Hand-assembled pickle opcodes and torch zip archives, for tests that must not depend on Python. */
final class PickleBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleBytes proto(int version) {
        return op(0x80).op(version);
    }

    PickleBytes global(String module, String name) {
        op('c');
        raw((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    PickleBytes text(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        int n = b.length;
        raw(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        raw(b);
        return this;
    }

    PickleBytes shortText(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c).op(b.length);
        raw(b);
        return this;
    }

    PickleBytes integer(long v) {
        int n = (int) v;
        op('J');
        raw(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        return this;
    }

    PickleBytes mark() {
        return op('(');
    }

    PickleBytes tuple() {
        return op('t');
    }

    PickleBytes reduce() {
        return op('R');
    }

    PickleBytes stop() {
        return op('.');
    }

    /** A tuple of ints, e.g. a size or stride. */
    PickleBytes ints(long... values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /** {@code ('storage', torch.<type>, key, 'cpu', numel)} as a persistent id. */
    PickleBytes storage(String type, String key, long elements) {
        mark().text("storage").global("torch", type).text(key).text("cpu").integer(elements).tuple();
        return op('Q');
    }

    /** LONG1: a little-endian two's complement integer of any size. */
    PickleBytes long1(java.math.BigInteger value) {
        byte[] be = value.toByteArray();
        op(0x8a).op(be.length);
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
        return this;
    }

    /** The legacy format's persistent id: {@code ('storage', torch.<type>, key, 'cpu', numel, None)}. */
    PickleBytes legacyStorage(String type, String key, long elements) {
        mark().text("storage").global("torch", type).text(key).text("cpu").integer(elements).op('N').tuple();
        return op('Q');
    }

    /** A legacy {@code _rebuild_tensor_v2} call. */
    PickleBytes legacyTensor(String type, String key, long elements, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        legacyStorage(type, key, elements).integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')').reduce();
        return tuple().reduce();
    }

    /** {@code _rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())}. */
    PickleBytes tensor(String type, String key, long elements, long offset, long[] size, long[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").mark();
        storage(type, key, elements).integer(offset).ints(size).ints(stride).op(0x89);
        global("collections", "OrderedDict").op(')').reduce();
        return tuple().reduce();
    }

    PickleBytes raw(byte[] bytes) {
        out.write(bytes, 0, bytes.length);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** Writes a torch-style zip: {@code archive/data.pkl}, {@code archive/data/<key>}, {@code archive/version}. */
    static void writeArchive(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        try (ZipOutputStream zip = new ZipOutputStream(java.nio.file.Files.newOutputStream(file))) {
            put(zip, "archive/data.pkl", pickle);
            for (Map.Entry<String, byte[]> e : storages.entrySet()) {
                put(zip, "archive/data/" + e.getKey(), e.getValue());
            }
            put(zip, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        zip.putNextEntry(new ZipEntry(name));
        zip.write(data);
        zip.closeEntry();
    }
}
