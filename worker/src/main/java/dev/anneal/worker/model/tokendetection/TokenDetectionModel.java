package dev.anneal.worker.model.tokendetection;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.ParameterSpec;
import dev.anneal.worker.tensor.Scalars;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * ELECTRA's replaced token detection, as txtai's {@code TokenDetection}: a masked-LM generator fills the
 * masked positions with tokens sampled from its predictions, and a discriminator ({@link HeadType#PRETRAINING})
 * learns which tokens of that text were replaced. loss = generator MLM loss + 50 x discriminator loss.
 *
 * <p>The discriminator's word embeddings are the generator's: one parameter, stored and trained once under
 * {@code generator.<name>} and listed as a tie under {@code discriminator.<name>}. Parameter names are the
 * composite's state-dict names ({@code generator.electra...}, {@code discriminator.electra...}); SAVE writes
 * each part as its own Hugging Face directory ({@link #parts()}). Build it with {@link TokenDetectionLoader}.
 */
public final class TokenDetectionModel extends TransformerModel {
    /** txtai's discriminator weight. */
    public static final double DISCRIMINATOR_WEIGHT = 50.0;
    public static final String GENERATOR = "generator";
    public static final String DISCRIMINATOR = "discriminator";
    public static final String GENERATOR_LOGITS = "generator_logits";
    public static final String DISCRIMINATOR_INPUT_IDS = "discriminator_input_ids";
    public static final String DISCRIMINATOR_LOGITS = "discriminator_logits";
    public static final String DISCRIMINATOR_LABELS = "discriminator_labels";

    private final TransformerModel generator;
    private final TransformerModel discriminator;
    private final String sharedEmbeddings;
    private final double weight;

    /**
     * @param sharedEmbeddings the name (the same in both parts) of the word embeddings whose parameter the
     *     discriminator already shares with the generator
     */
    TokenDetectionModel(TransformerModel generator, TransformerModel discriminator, String sharedEmbeddings,
            double weight) {
        super(discriminator.config(), HeadType.PRETRAINING);
        if (generator.head() != HeadType.MASKED_LM || discriminator.head() != HeadType.PRETRAINING) {
            throw new IllegalArgumentException("token detection needs a MASKED_LM generator and a PRETRAINING "
                    + "discriminator, got " + generator.head() + " and " + discriminator.head());
        }
        Parameter generatorEmbeddings = generator.namedParameters().get(sharedEmbeddings);
        Parameter discriminatorEmbeddings = discriminator.namedParameters().get(sharedEmbeddings);
        if (generatorEmbeddings == null || discriminatorEmbeddings == null
                || generatorEmbeddings.getArray() != discriminatorEmbeddings.getArray()) {
            throw new IllegalArgumentException("the discriminator's '" + sharedEmbeddings
                    + "' must be the generator's array");
        }
        this.generator = module(GENERATOR, generator);
        this.discriminator = module(DISCRIMINATOR, discriminator);
        this.sharedEmbeddings = sharedEmbeddings;
        this.weight = weight;
    }

    /**
     * With labels (a masked-LM batch): the generator's loss and logits, the sampled replacements at the
     * labelled positions, the discriminator's labels (1 where the sampled token differs from the original)
     * and logits, and the combined loss. Without labels: both parts' logits on the inputs as given.
     */
    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        ModelOutput generated = generator.forward(batch, training);
        NDArray labels = batch.find("labels");
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        tensors.put(GENERATOR_LOGITS, generated.logits());
        if (labels == null) {
            tensors.put(DISCRIMINATOR_LOGITS, discriminator.forward(batch, training).logits());
            return new ModelOutput(null, tensors);
        }
        NDArray masked = labels.neq(HfLosses.IGNORE_INDEX);
        NDArray sampled = ReplacementSampler.sample(generated.logits());
        NDArray inputs = NDArrays.where(masked, sampled, batch.get("input_ids").toType(DataType.INT64, false));
        // A sampled token equal to the original is no replacement (txtai: dlabels[tokens == labels] = 0).
        NDArray replaced = masked.logicalAnd(sampled.neq(labels)).toType(DataType.INT64, false);
        Map<String, NDArray> detection = new LinkedHashMap<>();
        detection.put("input_ids", inputs);
        copy(batch, "attention_mask", detection);
        copy(batch, "token_type_ids", detection);
        detection.put("labels", replaced);
        ModelOutput detected = discriminator.forward(new Batch(detection), training);
        tensors.put(DISCRIMINATOR_INPUT_IDS, inputs);
        tensors.put(DISCRIMINATOR_LOGITS, detected.logits());
        tensors.put(DISCRIMINATOR_LABELS, replaced);
        // A float weight keeps the loss in the logits' type (a double would promote it to float64).
        return new ModelOutput(generated.loss().add(Scalars.mul(detected.loss(), weight)), tensors);
    }

    private static void copy(Batch from, String name, Map<String, NDArray> to) {
        NDArray array = from.find(name);
        if (array != null) {
            to.put(name, array);
        }
    }

    /** The parts SAVE writes, by directory name: generator, then discriminator. */
    public Map<String, TransformerModel> parts() {
        Map<String, TransformerModel> parts = new LinkedHashMap<>();
        parts.put(GENERATOR, generator);
        parts.put(DISCRIMINATOR, discriminator);
        return Collections.unmodifiableMap(parts);
    }

    public TransformerModel generator() {
        return generator;
    }

    public TransformerModel discriminator() {
        return discriminator;
    }

    /** The discriminator weight of the combined loss. */
    public double discriminatorWeight() {
        return weight;
    }

    /** txtai's class; the composite is saved as its parts, never as one Hugging Face model. */
    @Override
    public String architecture() {
        return "TokenDetection";
    }

    /** txtai's TokenDetection is a PreTrainedModel without a base model prefix. */
    @Override
    public String baseModelPrefix() {
        return "";
    }

    @Override
    public DataType dataType() {
        return generator.dataType();
    }

    /** Both parts' stored parameters, each once: the shared embeddings under the generator's name. */
    @Override
    public Map<String, ParameterSpec> parameterSpecs() {
        Map<String, ParameterSpec> out = new LinkedHashMap<>();
        generator.parameterSpecs().forEach((name, spec) -> out.put(GENERATOR + "." + name, spec));
        discriminator.parameterSpecs().forEach((name, spec) -> {
            if (!name.equals(sharedEmbeddings)) {
                out.put(DISCRIMINATOR + "." + name, spec);
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /** The parts' own ties plus the discriminator's word embeddings, tied to the generator's. */
    @Override
    public Map<String, String> tiedParameters() {
        Map<String, String> out = new LinkedHashMap<>();
        generator.tiedParameters().forEach((name, owner) -> out.put(GENERATOR + "." + name, GENERATOR + "." + owner));
        out.put(DISCRIMINATOR + "." + sharedEmbeddings, GENERATOR + "." + sharedEmbeddings);
        discriminator.tiedParameters().forEach((name, owner) -> out.put(DISCRIMINATOR + "." + name,
                owner.equals(sharedEmbeddings) ? GENERATOR + "." + owner : DISCRIMINATOR + "." + owner));
        return Collections.unmodifiableMap(out);
    }

    /** Initialises each part's parameters the way that part's family does. */
    @Override
    public void initializeParameters(Collection<String> names, long seed) {
        List<String> generatorNames = new ArrayList<>();
        List<String> discriminatorNames = new ArrayList<>();
        for (String name : names) {
            if (name.startsWith(GENERATOR + ".")) {
                generatorNames.add(name.substring(GENERATOR.length() + 1));
            } else if (name.startsWith(DISCRIMINATOR + ".") && !name.equals(DISCRIMINATOR + "." + sharedEmbeddings)) {
                discriminatorNames.add(name.substring(DISCRIMINATOR.length() + 1));
            } else {
                throw new IllegalArgumentException("token detection has no stored parameter '" + name + "'");
            }
        }
        generator.initializeParameters(generatorNames, seed);
        discriminator.initializeParameters(discriminatorNames, seed);
    }

    @Override
    public void close() {
        discriminator.close();
        generator.close();
        super.close();
    }
}
