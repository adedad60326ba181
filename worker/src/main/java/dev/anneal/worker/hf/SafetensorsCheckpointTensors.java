package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.util.Set;

/** {@link CheckpointTensors} over a {@link SafetensorsReader}. */
public final class SafetensorsCheckpointTensors implements CheckpointTensors {
    private final SafetensorsReader reader;

    public SafetensorsCheckpointTensors(SafetensorsReader reader) {
        this.reader = reader;
    }

    @Override
    public Set<String> names() {
        return reader.names();
    }

    @Override
    public long[] shape(String name) {
        return reader.tensor(name).shape();
    }

    @Override
    public SafetensorsDtype dtype(String name) {
        return reader.tensor(name).dtype();
    }

    @Override
    public NDArray read(String name, NDManager manager, DataType computeType) throws IOException {
        return reader.read(name, manager, computeType);
    }

    @Override
    public String format() {
        return SafetensorsReader.SINGLE_FILE;
    }
}
