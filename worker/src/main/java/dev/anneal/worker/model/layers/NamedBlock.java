package dev.anneal.worker.model.layers;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * A DJL block whose parameters and children carry the Hugging Face (PyTorch module) names, so that a
 * tree of these blocks yields exactly the dotted state-dict names of transformers
 * ({@code bert.encoder.layer.0.attention.self.query.weight}).
 *
 * <p>DJL's own child naming prefixes a running number ("01embeddings"), so names are kept here
 * independently: {@link #visitParameters} walks the tree in PyTorch's state-dict order (a module's own
 * parameters in registration order, then its children in registration order). A parameter can be tied
 * to one owned elsewhere (shared weights, as transformers ties the MLM decoder to the word embeddings);
 * tied names are visited as aliases, never as separate tensors.
 */
public abstract class NamedBlock extends AbstractBlock {
    private final Map<String, Object> entries = new LinkedHashMap<>();
    private final Map<String, NamedBlock> modules = new LinkedHashMap<>();

    /** Receives each parameter name once, in state-dict order. */
    public interface ParameterVisitor {
        /** A parameter this tree owns. */
        void owned(String name, ParameterSpec spec);

        /** A name that shares the array of a parameter owned elsewhere in the tree. */
        void tied(String name, Parameter canonical);
    }

    /** Registers a child module under its Hugging Face attribute name. */
    protected final <B extends NamedBlock> B module(String name, B block) {
        checkName(name);
        modules.put(name, block);
        addChildBlock(name, block);
        return block;
    }

    /**
     * Registers a child whose names appear without a segment of their own, as when a bare backbone
     * ({@code BertModel}) is the root: its {@code embeddings} are top-level names.
     */
    protected final <B extends NamedBlock> B inline(B block) {
        if (modules.containsKey("")) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has an inline child");
        }
        modules.put("", block);
        addChildBlock(block.getClass().getSimpleName(), block);
        return block;
    }

    /** Registers a parameter this block owns; its array is set by a checkpoint load or an initialiser. */
    protected final Parameter parameter(String name, Shape shape, WeightInit init) {
        return parameter(name, shape, init, -1);
    }

    protected final Parameter parameter(String name, Shape shape, WeightInit init, long paddingIndex) {
        checkName(name);
        Parameter.Type type = switch (init) {
            case ONES -> Parameter.Type.GAMMA;
            case ZEROS -> name.equals("bias") ? Parameter.Type.BIAS : Parameter.Type.OTHER;
            default -> Parameter.Type.WEIGHT;
        };
        Parameter p = addParameter(Parameter.builder().setName(name).setType(type).optRequiresGrad(true).build());
        entries.put(name, new ParameterSpec(p, shape, init, paddingIndex));
        return p;
    }

    /** Registers {@code name} as sharing the array of {@code canonical}, a parameter owned elsewhere. */
    protected final void tie(String name, Parameter canonical) {
        checkName(name);
        entries.put(name, canonical);
    }

    /** The child module registered under {@code name}, or null. */
    public NamedBlock child(String name) {
        return modules.get(name);
    }

    /** Walks this tree in state-dict order with {@code prefix} before every name ("" at the root). */
    public final void visitParameters(String prefix, ParameterVisitor visitor) {
        for (Map.Entry<String, Object> e : entries.entrySet()) {
            if (e.getValue() instanceof ParameterSpec spec) {
                visitor.owned(prefix + e.getKey(), spec);
            } else {
                visitor.tied(prefix + e.getKey(), (Parameter) e.getValue());
            }
        }
        for (Map.Entry<String, NamedBlock> e : modules.entrySet()) {
            e.getValue().visitParameters(e.getKey().isEmpty() ? prefix : prefix + e.getKey() + ".", visitor);
        }
    }

    /** Calls {@code visitor} for every module below this one with its dotted name (inline children add no segment). */
    public final void visitModules(String prefix, BiConsumer<String, NamedBlock> visitor) {
        for (Map.Entry<String, NamedBlock> e : modules.entrySet()) {
            String name = e.getKey().isEmpty() ? prefix : prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
            if (!e.getKey().isEmpty()) {
                visitor.accept(name, e.getValue());
            }
            e.getValue().visitModules(name, visitor);
        }
    }

    /**
     * Parts of a model are run through their typed methods by the model's {@code forward(Batch)}; the
     * generic NDList entry point exists on leaf layers and on the model only.
     */
    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " is a part of a model; run the model's forward(Batch, training)");
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        throw new UnsupportedOperationException(getClass().getSimpleName()
                + " is a part of a model; ask the model for output shapes");
    }

    private void checkName(String name) {
        if (name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException("module or parameter name '" + name + "' must be non-empty without dots");
        }
        if (entries.containsKey(name) || modules.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " already has '" + name + "'");
        }
    }
}
