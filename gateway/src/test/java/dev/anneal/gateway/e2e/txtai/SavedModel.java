package dev.anneal.gateway.e2e.txtai;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.task.TokenizerOutputs;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model directory a job saved, loaded back the way a client would load it (config.json, model.safetensors,
 * tokenizer.json) with the worker's model families and tokenizer, in eval mode.
 */
final class SavedModel implements AutoCloseable {
    /** Enough tokens for every prompt of the scenarios. */
    private static final int MAX_LENGTH = 64;

    private final HfConfig config;
    private final TransformerModel model;
    private final TextTokenizer tokenizer;
    private final boolean typeIds;
    private final List<String> unusedWeights;

    private SavedModel(HfConfig config, TransformerModel model, TextTokenizer tokenizer, List<String> unusedWeights) {
        this.config = config;
        this.model = model;
        this.tokenizer = tokenizer;
        this.typeIds = TokenizerOutputs.returnsTokenTypeIds(tokenizer);
        this.unusedWeights = unusedWeights;
    }

    /**
     * Loads {@code dir} into the {@code head} model; a weight the model needs and {@code dir} lacks fails, a
     * weight {@code dir} holds and the model does not use is listed by {@link #unusedWeights()}.
     */
    static SavedModel open(Path dir, HeadType head) throws IOException {
        HfConfig config = HfConfig.read(dir);
        TransformerModel model = ModelFamilies.create(config, head);
        try {
            LoadReport report = HfCheckpoint.load(dir, model, LoadOptions.strict());
            return new SavedModel(config, model, TextTokenizer.load(dir, TokenizerSettings.read(dir), MAX_LENGTH),
                    report.unexpected());
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
    }

    HfConfig config() {
        return config;
    }

    TransformerModel model() {
        return model;
    }

    TextTokenizer tokenizer() {
        return tokenizer;
    }

    /** Saved weights the model did not load: none when the directory is exactly this model. */
    List<String> unusedWeights() {
        return unusedWeights;
    }

    /** One output of an eval-mode forward pass over one encoded example, as floats. */
    float[] output(Encoding encoding, String name) {
        try (NDManager scope = model.manager().newSubManager()) {
            return model.forward(new Batch(inputs(scope, encoding)), false).get(name)
                    .toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    /** input_ids, attention_mask (and token_type_ids when the tokenizer returns them) as a batch of one. */
    Map<String, NDArray> inputs(NDManager scope, Encoding encoding) {
        Shape shape = new Shape(1, encoding.getIds().length);
        Map<String, NDArray> inputs = new LinkedHashMap<>();
        inputs.put("input_ids", scope.create(encoding.getIds(), shape));
        inputs.put("attention_mask", scope.create(encoding.getAttentionMask(), shape));
        if (typeIds) {
            inputs.put("token_type_ids", scope.create(encoding.getTypeIds(), shape));
        }
        return inputs;
    }

    @Override
    public void close() {
        tokenizer.close();
        model.close();
    }
}
