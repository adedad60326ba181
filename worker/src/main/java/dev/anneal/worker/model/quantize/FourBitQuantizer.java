package dev.anneal.worker.model.quantize;

import ai.djl.nn.Parameter;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Quantizes a loaded model's linear layers to 4 bits, as transformers does with a bitsandbytes
 * {@code load_in_4bit} config: every {@link Linear} with a weight of its own except the modules kept in full
 * precision (the task head, which trains, and output layers). Each quantized layer computes with its weight
 * dequantized on the fly; the full-precision weight array is freed, so the weight parameter has no values
 * afterwards and the layer is frozen for good (train it through LoRA adapters).
 */
public final class FourBitQuantizer {
    private FourBitQuantizer() {
    }

    /** What quantization did: the layers and the bytes of their weights before and after. */
    public record Report(List<String> layers, long bytesBefore, long bytesAfter) {
        public double ratio() {
            return bytesAfter == 0 ? 0 : (double) bytesBefore / bytesAfter;
        }
    }

    /**
     * @param keep module names (or last segments) whose layers stay in full precision, with everything below them
     */
    public static Report quantize(TransformerModel model, FourBitType type, Set<String> keep) {
        Map<String, NamedBlock> modules = new LinkedHashMap<>();
        model.visitModules("", modules::put);
        Map<String, Parameter> parameters = model.namedParameters();
        List<String> layers = new ArrayList<>();
        long before = 0;
        long after = 0;
        for (Map.Entry<String, NamedBlock> entry : modules.entrySet()) {
            String name = entry.getKey();
            if (!(entry.getValue() instanceof Linear linear) || kept(name, keep)
                    || parameters.get(name + ".weight") != linear.weight()) {
                continue; // not linear, kept in full, or a weight tied to another module's (an output embedding)
            }
            Parameter weight = linear.weight();
            FourBitWeight quantized = FourBitWeight.quantize(weight.getArray(), type);
            before += weight.getArray().size() * weight.getArray().getDataType().getNumOfBytes();
            after += quantized.bytes();
            linear.setWeightSource(quantized);
            weight.freeze(true);
            weight.close();
            layers.add(name);
        }
        return new Report(layers, before, after);
    }

    private static boolean kept(String name, Set<String> keep) {
        for (String module : keep) {
            if (name.equals(module) || name.startsWith(module + ".") || name.endsWith("." + module)
                    || name.contains("." + module + ".")) {
                return true;
            }
        }
        return false;
    }
}
