package dev.anneal.worker.torchscript;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.anneal.worker.train.Autograd;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/** Archives built from source load into libtorch and run their methods, with tensors in, out and updated in place. */
public class TorchScriptModuleTest {
    private static final String SOURCE = """
            class Kernels(Module):
              __parameters__ = []
              __buffers__ = []
              training : bool
              def scaled(self: __torch__.Kernels,
                x: Tensor,
                factor: float) -> Tensor:
                return torch.mul(x, factor)
              def cube(self: __torch__.Kernels,
                x: Tensor) -> Tensor:
                return torch.mul(torch.mul(x, x), x)
              def add_all(self: __torch__.Kernels,
                xs: List[Tensor],
                y: Tensor) -> int:
                torch._foreach_add_(xs, y)
                return len(xs)
            """;

    @Test
    void methodsRunOnTensorsAndListsOfTensors() {
        try (TorchScriptModule module = TorchScriptModule.compile("Kernels", SOURCE);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, -2, 3.5f});
            try (IValue in = IValue.from((PtNDArray) x); IValue factor = IValue.from(2.0);
                    IValue out = module.run("scaled", in, factor)) {
                assertArrayEquals(new float[] {2, -4, 7}, out.toTensor((PtNDManager) manager).toFloatArray());
            }
            NDArray a = manager.create(new float[] {1, 2});
            NDArray b = manager.create(new float[] {10});
            try (IValue list = IValue.listFrom((PtNDArray) a, (PtNDArray) b);
                    IValue y = IValue.from((PtNDArray) manager.create(0.5f));
                    IValue count = module.run("add_all", list, y)) {
                assertEquals(2, count.toLong());
            }
            assertArrayEquals(new float[] {1.5f, 2.5f}, a.toFloatArray(), "updated in place, not copied");
            assertArrayEquals(new float[] {10.5f}, b.toFloatArray());
        }
    }

    @Test
    void tensorMethodsTakePartInAutograd() {
        try (TorchScriptModule module = TorchScriptModule.compile("Kernels", SOURCE);
                NDManager manager = NDManager.newBaseManager()) {
            NDArray x = manager.create(new float[] {1, -2, 3});
            x.setRequiresGradient(true);
            NDArray[] y = new NDArray[1];
            Autograd.recording(() -> {
                y[0] = module.apply("cube", x).singletonOrThrow();
                Autograd.backward(y[0].sum());
                return null;
            });
            assertArrayEquals(new float[] {1, -8, 27}, y[0].toFloatArray());
            assertArrayEquals(new float[] {3, 12, 27}, x.getGradient().toFloatArray(), "d(x^3)/dx = 3x^2");
            NDArray named = manager.create(1f);
            named.setName("weight");
            assertThrows(IllegalArgumentException.class, () -> module.apply("cube", named));
        }
    }

    @Test
    void archiveHasTheLayoutTorchJitSaveWrites() throws IOException {
        byte[] archive = TorchScriptArchive.of("Kernels", SOURCE);
        StringBuilder names = new StringBuilder();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
            for (ZipEntry entry; (entry = zip.getNextEntry()) != null; ) {
                names.append(entry.getName()).append(' ');
                assertEquals(ZipEntry.STORED, entry.getMethod(), entry.getName());
                if (entry.getName().endsWith("code/__torch__.py")) {
                    assertEquals(SOURCE, new String(zip.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals("kernels/data.pkl kernels/code/__torch__.py kernels/constants.pkl kernels/version kernels/byteorder ",
                names.toString());
    }

    @Test
    void sourceErrorsAreReportedWhenCompiled() {
        String broken = SOURCE.replace("torch.mul(x, factor)", "torch.no_such_op(x, factor)");
        EngineException error = assertThrows(EngineException.class, () -> TorchScriptModule.compile("Kernels", broken));
        assertTrue(error.getMessage().contains("no_such_op"), error.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.of("Other", SOURCE));
        assertThrows(IllegalArgumentException.class, () -> TorchScriptArchive.of("not a name", SOURCE));
    }
}
