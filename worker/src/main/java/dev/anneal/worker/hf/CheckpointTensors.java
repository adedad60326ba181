package dev.anneal.worker.hf;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * The stored tensors of a checkpoint directory, whatever the file format: {@code model.safetensors}
 * (single or sharded) or {@code pytorch_model.bin} (single or sharded), preferring safetensors as
 * transformers does.
 */
public interface CheckpointTensors {
    /** Every stored tensor name, sorted. */
    Set<String> names();

    /** The stored shape of {@code name}; fails when absent. */
    long[] shape(String name);

    /** The stored element type of {@code name}. */
    SafetensorsDtype dtype(String name);

    /** Reads a tensor; floating point tensors come back as {@code computeType}, others keep their type. */
    NDArray read(String name, NDManager manager, DataType computeType) throws IOException;

    /** Which file format these tensors come from, for messages ("model.safetensors", "pytorch_model.bin"). */
    String format();

    /** True when {@code dir} holds weights in a supported format. */
    static boolean hasWeights(Path dir) {
        return SafetensorsReader.hasWeights(dir) || TorchPickleReader.hasWeights(dir);
    }

    /** Opens the weights of a model directory: safetensors when present, else the torch pickle checkpoint. */
    static CheckpointTensors open(Path dir) throws IOException {
        if (SafetensorsReader.hasWeights(dir)) {
            return new SafetensorsCheckpointTensors(SafetensorsReader.open(dir));
        }
        if (TorchPickleReader.hasWeights(dir)) {
            return TorchPickleReader.open(dir);
        }
        throw new NoSuchFileException(dir.toString(), null, "no " + SafetensorsReader.SINGLE_FILE + ", "
                + SafetensorsReader.INDEX_FILE + ", " + TorchPickleReader.SINGLE_FILE + " or " + TorchPickleReader.INDEX_FILE);
    }
}
