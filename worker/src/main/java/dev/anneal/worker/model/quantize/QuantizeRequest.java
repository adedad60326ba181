package dev.anneal.worker.model.quantize;

import dev.anneal.api.v1.QuantizeConfig;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.lora.LoraConfig;
import dev.anneal.worker.model.lora.LoraModel;
import dev.anneal.worker.run.RunFailure;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The request's {@code quantize} field (txtai's {@code quantize=}, a bitsandbytes 4-bit config): the 4-bit type,
 * nf4 unless "fp4" is asked for. Quantized weights are frozen, so quantize needs lora (QLoRA), as Hugging Face
 * Trainer refuses to fine-tune a purely quantized model.
 */
public final class QuantizeRequest {
    private QuantizeRequest() {
    }

    public static boolean requested(TrainRequest request) {
        return request.hasQuantize();
    }

    public static void validate(TrainRequest request) {
        if (!requested(request)) {
            return;
        }
        type(request.getQuantize());
        if (request.getQuantize().getBnb4BitUseDoubleQuant()) {
            throw RunFailure.invalidArgument("quantize.bnb_4bit_use_double_quant", "double quantization of the "
                    + "block scales is not supported by this build; leave it false");
        }
        if (!request.hasLora()) {
            throw RunFailure.invalidArgument("quantize", "needs lora: 4-bit weights are frozen, so only LoRA "
                    + "adapters can train on them (QLoRA)");
        }
    }

    /**
     * Quantizes {@code model}'s linear layers to the requested type, keeping in full precision what trains in
     * full under LoRA (the task head) and the output layers, as transformers keeps the head out of bitsandbytes.
     */
    public static FourBitQuantizer.Report apply(TrainRequest request, TransformerModel model) {
        Set<String> keep = new LinkedHashSet<>(LoraConfig.modulesToSaveFor(model.head()));
        keep.addAll(LoraModel.OUTPUT_LAYERS);
        return FourBitQuantizer.quantize(model, type(request.getQuantize()), keep);
    }

    /** The 4-bit type the config names: "nf4" (or empty) or "fp4". */
    public static FourBitType type(QuantizeConfig config) {
        return switch (config.getBnb4BitQuantType()) {
            case "", "nf4" -> FourBitType.NF4;
            case "fp4" -> FourBitType.FP4;
            default -> throw RunFailure.invalidArgument("quantize.bnb_4bit_quant_type", "must be nf4 or fp4, got '"
                    + config.getBnb4BitQuantType() + "'");
        };
    }
}
