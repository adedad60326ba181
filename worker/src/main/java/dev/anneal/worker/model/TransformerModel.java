package dev.anneal.worker.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.model.layers.ParameterSpec;
import dev.anneal.worker.model.layers.WeightInit;
import dev.anneal.worker.tensor.TorchOwned;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A Hugging Face transformer (backbone plus task head) as a DJL block whose parameter names are the
 * transformers state-dict names.
 *
 * <p>The model owns an {@link NDManager} that holds its parameter arrays; close the model to free them.
 * {@link #forward(Batch, boolean)} computes what the transformers class computes in its {@code forward},
 * including the loss when the batch has labels. Intermediate arrays are attached to the manager of the
 * batch's tensors, so closing the batch's manager frees them. Parameter arrays are plain leaves: set
 * {@code requiresGradient} on them (or use DJL's trainer) and gradients flow through
 * {@link ai.djl.training.GradientCollector}.
 */
public abstract class TransformerModel extends NamedBlock implements AutoCloseable {
    private final HfConfig config;
    private final HeadType head;
    private final NDManager manager;
    private DataType dataType;

    protected TransformerModel(HfConfig config, HeadType head) {
        this.config = config;
        this.head = head;
        this.manager = NDManager.newBaseManager();
        this.dataType = DataType.FLOAT32;
    }

    /** Runs the model as transformers' {@code model(**batch)} in train or eval mode. */
    public abstract ModelOutput forward(Batch batch, boolean training);

    /** The transformers class this model is, e.g. "BertForSequenceClassification" (saved as architectures). */
    public abstract String architecture();

    /**
     * The attribute that holds the backbone in head models ({@code base_model_prefix}: "bert",
     * "roberta", ...); parameter names of head models start with it and base models' do not.
     */
    public abstract String baseModelPrefix();

    /** True when this is the bare backbone, whose parameter names carry no base model prefix. */
    public boolean isBaseModel() {
        return head == HeadType.BASE;
    }

    /** The config this model was built from (what save writes, plus the architecture). */
    public HfConfig config() {
        return config;
    }

    public HeadType head() {
        return head;
    }

    /** The manager that owns the parameter arrays. */
    public NDManager manager() {
        return manager;
    }

    /** Where the parameters live (the engine's default device: a GPU when there is one); put inputs there too. */
    public Device device() {
        return manager.getDevice();
    }

    /** The floating point type of the parameters (float32 unless set). */
    public DataType dataType() {
        return dataType;
    }

    /**
     * Sets the compute type (float32 or float16) before any weights are loaded or initialised; checkpoint
     * tensors of any floating type (fp32, fp16, bf16) are converted to it. bfloat16 is refused: DJL 0.36's
     * PyTorch engine aborts the JVM when it creates a bfloat16 tensor.
     */
    public void setComputeType(DataType type) {
        if (type == DataType.BFLOAT16) {
            throw new IllegalArgumentException("compute type bfloat16 is not supported: DJL 0.36's PyTorch engine "
                    + "aborts the process on bfloat16 tensors; use float32 or float16 (bf16 checkpoints load either way)");
        }
        if (type != DataType.FLOAT32 && type != DataType.FLOAT16) {
            throw new IllegalArgumentException("compute type must be float32 or float16, not " + type);
        }
        parameterSpecs().forEach((name, spec) -> {
            if (spec.parameter().isInitialized()) {
                throw new IllegalStateException("set the compute type before loading weights; '" + name + "' has values");
            }
        });
        this.dataType = type;
    }

    /** The stored parameters by their exact transformers names, in state-dict order; tied aliases excluded. */
    public Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        parameterSpecs().forEach((name, spec) -> out.put(name, spec.parameter()));
        return Collections.unmodifiableMap(out);
    }

    /** The stored parameters with their required shapes and initialisers, in state-dict order. */
    public Map<String, ParameterSpec> parameterSpecs() {
        Map<String, ParameterSpec> out = new LinkedHashMap<>();
        visitParameters("", new ParameterVisitor() {
            @Override
            public void owned(String name, ParameterSpec spec) {
                out.put(name, spec);
            }

            @Override
            public void tied(String name, Parameter canonical) {
            }
        });
        return Collections.unmodifiableMap(out);
    }

    /**
     * Names that share a stored parameter (not written to safetensors), mapped to the stored name they
     * share, e.g. {@code cls.predictions.decoder.weight -> bert.embeddings.word_embeddings.weight}.
     */
    public Map<String, String> tiedParameters() {
        Map<Parameter, String> owners = new IdentityHashMap<>();
        List<Map.Entry<String, Parameter>> ties = new ArrayList<>();
        visitParameters("", new ParameterVisitor() {
            @Override
            public void owned(String name, ParameterSpec spec) {
                owners.put(spec.parameter(), name);
            }

            @Override
            public void tied(String name, Parameter canonical) {
                ties.add(Map.entry(name, canonical));
            }
        });
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> tie : ties) {
            String owner = owners.get(tie.getValue());
            if (owner == null) {
                throw new IllegalStateException(tie.getKey() + " is tied to a parameter outside the model");
            }
            out.put(tie.getKey(), owner);
        }
        return Collections.unmodifiableMap(out);
    }

    /** Names of parameters that have no array yet. */
    public List<String> uninitializedParameters() {
        List<String> out = new ArrayList<>();
        parameterSpecs().forEach((name, spec) -> {
            if (!spec.parameter().isInitialized()) {
                out.add(name);
            }
        });
        return out;
    }

    /**
     * Initialises the named parameters as transformers' {@code _init_weights} does (normal(0,
     * initializer_range), zero biases, LayerNorm one/zero, zero padding row), from {@code seed}. Each
     * parameter's values depend only on the seed and its name, not on which others are initialised.
     */
    public void initializeParameters(Collection<String> names, long seed) {
        Map<String, ParameterSpec> specs = parameterSpecs();
        for (String name : names) {
            ParameterSpec spec = specs.get(name);
            if (spec == null) {
                throw new IllegalArgumentException("model " + architecture() + " has no parameter '" + name + "'");
            }
            if (spec.parameter().isInitialized()) {
                throw new IllegalStateException("parameter '" + name + "' already has values");
            }
            spec.parameter().setArray(initialValues(name, spec, seed));
        }
    }

    /** Initialises every parameter that has no array yet (a model from config, without weights). */
    public List<String> initializeMissingParameters(long seed) {
        List<String> missing = uninitializedParameters();
        initializeParameters(missing, seed);
        return missing;
    }

    /** The standard deviation of normal initialisation ({@code initializer_range}). */
    protected double initializerRange() {
        return config.getDouble("initializer_range", 0.02);
    }

    /** The initial array of one parameter; families with other schemes override this. */
    protected NDArray initialValues(String name, ParameterSpec spec, long seed) {
        int count = Math.toIntExact(spec.shape().size());
        float[] values = new float[count];
        if (spec.init() == WeightInit.ONES) {
            Arrays.fill(values, 1f);
        } else if (spec.init() == WeightInit.NORMAL) {
            Random random = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
            double std = initializerRange();
            for (int i = 0; i < count; i++) {
                values[i] = (float) (random.nextGaussian() * std);
            }
            if (spec.paddingIndex() >= 0 && spec.shape().dimension() == 2) {
                long width = spec.shape().get(1);
                Arrays.fill(values, (int) (spec.paddingIndex() * width), (int) ((spec.paddingIndex() + 1) * width), 0f);
            }
        }
        return TorchOwned.copyOf(manager.create(values, spec.shape()).toType(dataType, false));
    }

    /**
     * DJL entry point: inputs are matched to batch names by their NDArray names, or, when unnamed, taken
     * in the order input_ids, attention_mask, token_type_ids. Returns the loss (when labels were given)
     * followed by the outputs, each named.
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        String[] positional = {"input_ids", "attention_mask", "token_type_ids"};
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            NDArray array = inputs.get(i);
            String name = array.getName();
            if (name == null || name.isEmpty()) {
                if (i >= positional.length) {
                    throw new IllegalArgumentException("unnamed input " + i + ": name inputs after the batch keys");
                }
                name = positional[i];
            }
            tensors.put(name, array);
        }
        ModelOutput output = forward(new Batch(tensors), training);
        NDList out = new NDList();
        if (output.loss() != null) {
            output.loss().setName("loss");
            out.add(output.loss());
        }
        output.tensors().forEach((name, array) -> {
            array.setName(name);
            out.add(array);
        });
        return out;
    }

    /** Output shapes for inputs of the given shapes (input_ids first), found by running on zeros. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        try (NDManager scratch = manager.newSubManager()) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            tensors.put("input_ids", scratch.zeros(inputShapes[0], DataType.INT64));
            tensors.put("attention_mask", scratch.ones(inputShapes[0], DataType.INT64));
            ModelOutput output = forward(new Batch(tensors), false);
            return output.tensors().values().stream().map(NDArray::getShape).toArray(Shape[]::new);
        }
    }

    @Override
    public void close() {
        manager.close();
    }

    @Override
    public String toString() {
        return architecture() + "(" + config.getString("model_type", "?") + ", " + parameterSpecs().size() + " tensors)";
    }
}
