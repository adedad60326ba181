package dev.anneal.images;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/** Started in a child JVM on the worker image's classpath: loads libtorch the way the worker will and computes once. */
public final class LibtorchProbe {

    private LibtorchProbe() {}

    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray values = manager.create(new float[] {1f, 2f, 3f});
            // A child process's result travels over stdout.
            System.out.println("sum=" + values.mul(2f).sum().getFloat());
        }
        System.out.println("engine=" + engine.getVersion());
        System.out.println("libtorch=" + LibUtils.getLibtorchPath());
    }
}
