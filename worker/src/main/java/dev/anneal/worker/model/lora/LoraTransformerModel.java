package dev.anneal.worker.model.lora;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model with LoRA adapters, as the training pipeline sees it: its {@link #namedParameters()} are only what
 * trains (the adapters and the modules_to_save, under PEFT's in-memory names), so the optimizer, the
 * checkpoints and exact resume handle the adapters and leave the frozen base alone. Forward is the adapted
 * model's. The base model is an inline child (its structure stays visible) but is not owned: the caller
 * closes it.
 */
public final class LoraTransformerModel extends TransformerModel {
    private final LoraModel lora;

    public LoraTransformerModel(LoraModel lora) {
        super(lora.model().config(), lora.model().head());
        this.lora = lora;
        inline(lora.model());
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        return lora.forward(batch, training);
    }

    /** The adapters and modules_to_save by PEFT's names; the frozen base is not listed. */
    @Override
    public Map<String, Parameter> namedParameters() {
        return lora.trainableParameters();
    }

    /** Only what trains must have values: a 4-bit base has freed its full-precision weight arrays. */
    @Override
    public List<String> uninitializedParameters() {
        List<String> out = new ArrayList<>();
        namedParameters().forEach((name, parameter) -> {
            if (!parameter.isInitialized()) {
                out.add(name);
            }
        });
        return out;
    }

    public LoraModel lora() {
        return lora;
    }

    /** The model the adapters are attached to. */
    public TransformerModel base() {
        return lora.model();
    }

    @Override
    public String architecture() {
        return lora.model().architecture();
    }

    @Override
    public String baseModelPrefix() {
        return lora.model().baseModelPrefix();
    }

    @Override
    public NDManager manager() {
        return lora.model().manager();
    }

    @Override
    public DataType dataType() {
        return lora.model().dataType();
    }

    @Override
    public void setComputeType(DataType type) {
        throw new IllegalStateException("set the compute type on the base model before it is loaded, not on its "
                + "LoRA wrapper");
    }
}
