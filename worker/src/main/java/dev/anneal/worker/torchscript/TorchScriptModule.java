package dev.anneal.worker.torchscript;

import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A TorchScript module compiled by libtorch from source, whose methods run libtorch operators that DJL's
 * NDArray API does not reach (fused and foreach kernels). Methods may run from several threads at once.
 */
public final class TorchScriptModule implements AutoCloseable {
    private final NDManager manager;
    private final PtSymbolBlock block;

    private TorchScriptModule(NDManager manager, PtSymbolBlock block) {
        this.manager = manager;
        this.block = block;
    }

    /** Compiles {@code className} from the TorchScript source in the class-path resource {@code resource}. */
    public static TorchScriptModule fromResource(Class<?> owner, String resource, String className) {
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing TorchScript resource " + resource + " beside " + owner.getName());
            }
            return compile(className, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Compiles {@code className} from {@code source}; a compile error is an {@link ai.djl.engine.EngineException}. */
    public static TorchScriptModule compile(String className, String source) {
        NDManager manager = NDManager.newBaseManager();
        try {
            byte[] archive = TorchScriptArchive.of(className, source);
            PtSymbolBlock block = JniUtils.loadModule((PtNDManager) manager, new ByteArrayInputStream(archive), false, false);
            return new TorchScriptModule(manager, block);
        } catch (IOException | RuntimeException e) {
            manager.close();
            if (e instanceof IOException io) {
                throw new UncheckedIOException(io);
            }
            throw (RuntimeException) e;
        }
    }

    /** Runs {@code method}; the caller closes the result (and the arguments, which the call does not take). */
    public IValue run(String method, IValue... arguments) {
        return IValueUtils.runMethod(block, method, arguments);
    }

    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
