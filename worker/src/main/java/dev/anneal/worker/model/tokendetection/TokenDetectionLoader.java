package dev.anneal.worker.model.tokendetection;

import ai.djl.nn.Parameter;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link TokenDetectionModel} as txtai's HFTrainer does for token-detection: the base loaded once
 * as the masked-LM generator and once as the PRETRAINING discriminator, with the same config, then the
 * discriminator's word embeddings replaced by the generator's ({@code set_input_embeddings}; the two always
 * have the same model type here, since they come from one config).
 */
public final class TokenDetectionLoader {
    private TokenDetectionLoader() {
    }

    /** The composite and what loading its parts did, with parameter names prefixed by part. */
    public record Loaded(TokenDetectionModel model, LoadReport report) {
    }

    /** Generator and discriminator from the same base directory. */
    public static Loaded load(Path base, HfConfig config, LoadOptions options) throws IOException {
        return load(base, base, config, options);
    }

    /**
     * Generator weights from {@code generatorDir}, discriminator weights from {@code discriminatorDir}, both
     * built from {@code config}; the shared word embeddings take the generator's values.
     */
    public static Loaded load(Path generatorDir, Path discriminatorDir, HfConfig config, LoadOptions options)
            throws IOException {
        List<AutoCloseable> open = new ArrayList<>();
        try {
            TransformerModel generator = opened(open, ModelFamilies.create(config, HeadType.MASKED_LM));
            LoadReport generatorReport = HfCheckpoint.load(generatorDir, generator, options);
            TransformerModel loaded = opened(open, ModelFamilies.create(config, HeadType.PRETRAINING));
            LoadReport discriminatorReport = HfCheckpoint.load(discriminatorDir, loaded, options);
            String shared = wordEmbeddings(generator);
            TransformerModel discriminator = opened(open, ModelFamilies.create(config, HeadType.PRETRAINING));
            adopt(discriminator, loaded, generator, shared);
            loaded.close();
            TokenDetectionModel model = new TokenDetectionModel(generator, discriminator, shared,
                    TokenDetectionModel.DISCRIMINATOR_WEIGHT);
            return new Loaded(model, combine(generatorReport, discriminatorReport));
        } catch (IOException | RuntimeException | Error e) {
            for (AutoCloseable resource : open) {
                try {
                    resource.close();
                } catch (Exception suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static TransformerModel opened(List<AutoCloseable> open, TransformerModel model) {
        open.add(model);
        return model;
    }

    /**
     * Fills the fresh {@code discriminator} with the arrays of {@code loaded} (moved, not copied), except
     * the word embeddings, which become the generator's array. DJL sets a parameter's array once, so sharing
     * is done on a model whose parameters have none yet.
     */
    private static void adopt(TransformerModel discriminator, TransformerModel loaded, TransformerModel generator,
            String shared) {
        Map<String, Parameter> source = loaded.namedParameters();
        Parameter generatorEmbeddings = generator.namedParameters().get(shared);
        for (Map.Entry<String, Parameter> entry : discriminator.namedParameters().entrySet()) {
            Parameter target = entry.getValue();
            if (entry.getKey().equals(shared)) {
                Parameter own = source.get(shared);
                if (own == null || !own.getArray().getShape().equals(generatorEmbeddings.getArray().getShape())) {
                    throw new IllegalArgumentException("the discriminator cannot take the generator's word embeddings "
                            + shared + " " + generatorEmbeddings.getArray().getShape() + ": it has "
                            + (own == null ? "none" : own.getArray().getShape()));
                }
                target.setArray(generatorEmbeddings.getArray());
            } else {
                var array = source.get(entry.getKey()).getArray();
                array.attach(discriminator.manager());
                target.setArray(array);
            }
        }
    }

    /** {@code <prefix>.embeddings.word_embeddings.weight}: transformers' input embeddings of the encoder families. */
    static String wordEmbeddings(TransformerModel model) {
        String name = model.baseModelPrefix() + ".embeddings.word_embeddings.weight";
        if (!model.namedParameters().containsKey(name)) {
            throw new IllegalArgumentException(model.architecture() + " has no word embeddings '" + name
                    + "' to share with a discriminator");
        }
        return name;
    }

    /** Parameter names prefixed by part; stored tensors are unexpected only when neither part took them. */
    private static LoadReport combine(LoadReport generator, LoadReport discriminator) {
        Set<String> unexpected = new LinkedHashSet<>(generator.unexpected());
        unexpected.retainAll(Set.copyOf(discriminator.unexpected()));
        Set<String> ignored = new LinkedHashSet<>(generator.ignored());
        ignored.addAll(discriminator.ignored());
        return new LoadReport(prefixed(generator.loaded(), discriminator.loaded()),
                prefixed(generator.initialized(), discriminator.initialized()), List.copyOf(unexpected),
                List.copyOf(ignored));
    }

    private static List<String> prefixed(List<String> generator, List<String> discriminator) {
        List<String> out = new ArrayList<>();
        generator.forEach(name -> out.add(TokenDetectionModel.GENERATOR + "." + name));
        discriminator.forEach(name -> out.add(TokenDetectionModel.DISCRIMINATOR + "." + name));
        return out;
    }
}
