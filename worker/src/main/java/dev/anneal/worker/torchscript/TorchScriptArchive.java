package dev.anneal.worker.torchscript;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The bytes of a TorchScript archive (what {@code torch.jit.save} writes) for a module with no parameters or
 * buffers whose methods are given as TorchScript source. libtorch compiles the source when it loads the
 * archive, so kernels are kept as readable source rather than as a serialized binary made by Python.
 *
 * <p>The archive holds {@code code/__torch__.py} (the class), {@code data.pkl} (a pickled instance with its
 * one attribute, {@code training}), an empty {@code constants.pkl}, the format {@code version} and the
 * {@code byteorder}; entries are stored uncompressed, as torch writes them.
 */
public final class TorchScriptArchive {
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** The format version torch.jit.save writes when no operator in the code needs a version upgrader. */
    private static final String FORMAT_VERSION = "3\n";

    private TorchScriptArchive() {
    }

    /**
     * An archive for {@code className} defined in {@code source} as {@code class <className>(Module):}
     * declaring {@code training : bool}.
     */
    public static byte[] of(String className, String source) {
        if (!CLASS_NAME.matcher(className).matches()) {
            throw new IllegalArgumentException("not a class name: " + className);
        }
        if (!source.contains("class " + className + "(Module):")) {
            throw new IllegalArgumentException("source does not define class " + className + "(Module)");
        }
        String root = className.toLowerCase() + "/";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            stored(zip, root + "data.pkl", instancePickle(className));
            stored(zip, root + "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
            stored(zip, root + "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(zip, root + "version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
            stored(zip, root + "byteorder", "little".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Pickle protocol 2 of {@code __torch__.<className>()} with state {@code {"training": True}}: GLOBAL,
     * EMPTY_TUPLE, NEWOBJ, then EMPTY_DICT, MARK, key, NEWTRUE, SETITEMS, BUILD, STOP.
     */
    static byte[] instancePickle(String className) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x80);
        out.write(2);
        out.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
        out.write(')');
        out.write(0x81);
        out.write('}');
        out.write('(');
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        out.write('X');
        out.write(key.length);
        out.write(0);
        out.write(0);
        out.write(0);
        out.writeBytes(key);
        out.write(0x88);
        out.write('u');
        out.write('b');
        out.write('.');
        return out.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] content) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(content.length);
        entry.setCompressedSize(content.length);
        CRC32 crc = new CRC32();
        crc.update(content);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(content);
        zip.closeEntry();
    }
}
