package dev.anneal.worker.torchscript;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TorchScript module compiled by libtorch from source, whose methods run libtorch operators that DJL's
 * NDArray API does not reach (fused and foreach kernels, in-place comparisons). Methods may run from
 * several threads at once.
 */
public final class TorchScriptModule implements AutoCloseable {
    private final NDManager manager;
    private final PtSymbolBlock block;
    /** DJL picks the method of a tensor call from an input named {@code module_method:<name>}, one per method. */
    private final Map<String, NDArray> methodMarkers = new ConcurrentHashMap<>();

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
        } catch (IOException e) {
            manager.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /**
     * Runs {@code method} on any arguments in libtorch's inference mode (as DJL runs methods given as
     * IValues): in-place updates are not recorded and new tensors cannot be saved for backward, which suits
     * optimizer updates. The caller closes the result and the arguments, which the call does not take.
     */
    public IValue run(String method, IValue... arguments) {
        return IValueUtils.runMethod(block, method, arguments);
    }

    /**
     * Runs {@code method} on tensors with autograd as the calling thread has it, so results can take part
     * in backward. Results are attached to the first input's manager. Inputs must be unnamed arrays: DJL
     * reads names as list, tuple and dict packing.
     */
    public NDList apply(String method, NDArray... inputs) {
        NDList list = new NDList(inputs.length + 1);
        for (NDArray input : inputs) {
            if (input.getName() != null) {
                throw new IllegalArgumentException("TorchScript inputs must be unnamed, got " + input.getName());
            }
            list.add(input);
        }
        list.add(methodMarkers.computeIfAbsent(method, name -> {
            NDArray marker = manager.create(0f);
            marker.setName("module_method:" + name);
            return marker;
        }));
        return IValueUtils.forward(block, list, true);
    }

    @Override
    public void close() {
        block.close();
        manager.close();
    }
}
