package dev.anneal.worker.model;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.bert.BertFamily;
import dev.anneal.worker.model.bert.ElectraFamily;
import dev.anneal.worker.model.bert.RobertaFamily;
import dev.anneal.worker.model.distilbert.DistilBertFamily;
import dev.anneal.worker.model.gpt2.Gpt2Family;
import dev.anneal.worker.model.llama.LlamaFamily;
import dev.anneal.worker.run.RunFailure;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The model families this build supports, looked up by config {@code model_type}. */
public final class ModelFamilies {
    private static final List<ModelFamily> FAMILIES = List.of(new BertFamily(), new RobertaFamily(), new ElectraFamily(),
            new DistilBertFamily(), new Gpt2Family(), new LlamaFamily(),
            new dev.anneal.worker.model.t5.T5Family(), new dev.anneal.worker.model.bart.BartFamily());

    private ModelFamilies() {
    }

    public static List<ModelFamily> all() {
        return FAMILIES;
    }

    /** The family that builds {@code modelType}, if any. */
    public static Optional<ModelFamily> find(String modelType) {
        return FAMILIES.stream().filter(f -> f.modelTypes().contains(modelType)).findFirst();
    }

    /** The family that builds {@code modelType}; an INVALID_ARGUMENT failure naming the supported types otherwise. */
    public static ModelFamily forModelType(String modelType) {
        return find(modelType).orElseThrow(() -> RunFailure.invalidArgument("base",
                "model_type '" + modelType + "' is not supported; supported model types: " + supportedModelTypes()));
    }

    /** The family for {@code modelType} after checking it has {@code head}; INVALID_ARGUMENT otherwise. */
    public static ModelFamily requireSupported(String modelType, HeadType head) {
        ModelFamily family = forModelType(modelType);
        if (!family.heads().contains(head)) {
            String heads = family.heads().stream().map(Enum::name).sorted().collect(Collectors.joining(", "));
            throw RunFailure.invalidArgument("task", "model_type '" + modelType + "' (" + family.name()
                    + " family) has no " + head + " head; supported heads: " + heads);
        }
        return family;
    }

    /** Builds the model for a config and head, checking support first. */
    public static TransformerModel create(HfConfig config, HeadType head) {
        return requireSupported(config.modelType(), head).create(config, head);
    }

    public static String supportedModelTypes() {
        TreeSet<String> types = new TreeSet<>();
        FAMILIES.forEach(f -> types.addAll(f.modelTypes()));
        return String.join(", ", types);
    }
}
