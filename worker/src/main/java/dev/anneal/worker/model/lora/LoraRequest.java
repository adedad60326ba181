package dev.anneal.worker.model.lora;

import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.run.RunFailure;
import java.util.List;

/**
 * The request's {@code lora} field (txtai's {@code lora=}): proto defaults (0 means unset) become txtai's
 * defaults, r=16 and lora_alpha=8, with every linear layer but the output head adapted; out-of-range values
 * are refused naming {@code lora.<field>}.
 */
public final class LoraRequest {
    public static final int DEFAULT_R = 16;
    public static final double DEFAULT_ALPHA = 8;

    private LoraRequest() {
    }

    /** Whether the request asks for LoRA. */
    public static boolean requested(TrainRequest request) {
        return request.hasLora();
    }

    /** The checks that need nothing but the request; target names are matched against the model in APPLY_LORA. */
    public static void validate(TrainRequest request) {
        if (!requested(request)) {
            return;
        }
        dev.anneal.api.v1.LoraConfig lora = request.getLora();
        if (lora.getR() < 0) {
            throw RunFailure.invalidArgument("lora.r", "must be > 0 (0 means " + DEFAULT_R + "), got " + lora.getR());
        }
        double alpha = lora.getLoraAlpha();
        if (!(alpha >= 0) || Double.isInfinite(alpha)) {
            throw RunFailure.invalidArgument("lora.lora_alpha", "must be a finite number > 0 (0 means "
                    + (int) DEFAULT_ALPHA + "), got " + alpha);
        }
        double dropout = lora.getLoraDropout();
        if (!(dropout >= 0 && dropout < 1)) {
            throw RunFailure.invalidArgument("lora.lora_dropout", "must be in [0, 1), got " + dropout);
        }
        List<String> targets = lora.getTargetModulesList();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.get(i).isBlank()) {
                throw RunFailure.invalidArgument("lora.target_modules[" + i + "]", "is blank: name a linear "
                        + "module, e.g. query or dense");
            }
        }
        Task task = request.getTask();
        if (task == Task.TOKEN_DETECTION) {
            throw RunFailure.invalidArgument("lora", "is not supported for TOKEN_DETECTION (a generator and a "
                    + "discriminator trained together); train it in full");
        }
        if (!request.getTeacher().isEmpty()) {
            throw RunFailure.invalidArgument("lora", "cannot be combined with a distillation teacher; train the "
                    + "student in full");
        }
    }

    /** The adapter settings for a model with {@code head}, PEFT's modules_to_save completed from the head. */
    public static LoraConfig configFor(dev.anneal.api.v1.LoraConfig lora, HeadType head) {
        int r = lora.getR() == 0 ? DEFAULT_R : lora.getR();
        double alpha = lora.getLoraAlpha() == 0 ? DEFAULT_ALPHA : lora.getLoraAlpha();
        List<String> targets = lora.getTargetModulesCount() == 0 ? null : lora.getTargetModulesList();
        return LoraConfig.forHead(head, r, alpha, lora.getLoraDropout(), targets);
    }
}
