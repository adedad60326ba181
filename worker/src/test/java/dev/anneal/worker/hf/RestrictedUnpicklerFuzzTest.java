package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted state-dict pickles (the real caikit T5 data.pkl and a hand-built one, with random byte flips,
 * insertions and cuts) either still parse or fail with an IOException; nothing else escapes.
 */
class RestrictedUnpicklerFuzzTest {
    @TempDir
    Path tmp;

    @Test
    void mutatedPicklesFailOnlyWithIoExceptions() throws IOException {
        byte[] seed = realPickleOrHandBuilt();
        Random random = new Random(20261128);
        for (int round = 0; round < 3000; round++) {
            byte[] mutated = mutate(seed, random);
            try {
                RestrictedUnpickler.load("fuzz-" + round, mutated);
            } catch (TorchPickleException expected) {
                // a clean refusal
            } catch (RuntimeException | StackOverflowError e) {
                fail("round " + round + ": " + e.getClass().getName() + " escaped the unpickler: " + e.getMessage(), e);
            }
        }
    }

    @Test
    void mutatedArchivesFailOnlyWithIoExceptions() throws IOException {
        byte[] seed = realPickleOrHandBuilt();
        Random random = new Random(7);
        for (int round = 0; round < 300; round++) {
            Path file = tmp.resolve("fuzz-" + round + ".bin");
            PickleBytes.writeArchive(file, mutate(seed, random), Map.of("0", new byte[64], "1", new byte[8]));
            try {
                TorchPickleReader.open(file);
            } catch (IOException expected) {
                // a clean refusal
            } catch (RuntimeException e) {
                fail("round " + round + ": " + e.getClass().getName() + " escaped the reader: " + e.getMessage(), e);
            }
        }
    }

    private static byte[] mutate(byte[] seed, Random random) {
        byte[] out = seed.clone();
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            int at = random.nextInt(out.length);
            switch (random.nextInt(3)) {
                case 0 -> out[at] = (byte) random.nextInt(256);
                case 1 -> out = java.util.Arrays.copyOf(out, Math.max(1, at));
                default -> {
                    byte[] longer = new byte[out.length + 1];
                    System.arraycopy(out, 0, longer, 0, at);
                    longer[at] = (byte) random.nextInt(256);
                    System.arraycopy(out, at, longer, at + 1, out.length - at);
                    out = longer;
                }
            }
        }
        return out;
    }

    private static byte[] realPickleOrHandBuilt() throws IOException {
        String shared = System.getProperty("anneal.shared.dir");
        if (shared != null) {
            Path bin = Path.of(shared, "hf-fixtures", "public", "t5-caikit-T5ForConditionalGeneration", "pytorch_model.bin");
            if (Files.isRegularFile(bin)) {
                try (ZipFile zip = new ZipFile(bin.toFile())) {
                    return zip.getInputStream(zip.getEntry("pytorch_model/data.pkl")).readAllBytes();
                }
            }
        }
        PickleBytes p = new PickleBytes().proto(2).op('}').mark();
        p.text("w").tensor("FloatStorage", "0", 16, 0, new long[] {4, 4}, new long[] {4, 1});
        p.text("b").tensor("HalfStorage", "1", 4, 0, new long[] {4}, new long[] {1});
        return p.op('u').stop().bytes();
    }
}
