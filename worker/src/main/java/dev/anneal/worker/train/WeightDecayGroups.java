package dev.anneal.worker.train;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Hugging Face's two parameter groups ({@code Trainer.get_decay_parameter_names}): biases and the weights
 * of normalisation layers get no weight decay, every other parameter gets {@code weight_decay}.
 */
public final class WeightDecayGroups {
    private static final Pattern NO_DECAY = Pattern.compile(
            "bias|layernorm|layer_norm|rmsnorm|(^|\\.)norm($|\\.)|_norm($|\\.)|(^|\\.)ln_[^.]*\\.|layernorm_embedding");

    private WeightDecayGroups() {
    }

    public static boolean decays(String parameterName) {
        return !NO_DECAY.matcher(parameterName.toLowerCase(Locale.ROOT)).find();
    }
}
