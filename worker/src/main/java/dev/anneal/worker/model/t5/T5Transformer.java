package dev.anneal.worker.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Embedding;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.ParameterSpec;
import dev.anneal.worker.model.layers.WeightInit;
import dev.anneal.worker.model.seq2seq.Seq2SeqLabels;
import dev.anneal.worker.model.seq2seq.Seq2SeqOutputs;
import dev.anneal.worker.model.seq2seq.Seq2SeqLanguageModel;
import dev.anneal.worker.tensor.Scalars;
import dev.anneal.worker.tensor.TorchOwned;
import java.util.Random;

/**
 * T5 as transformers' {@code T5ForConditionalGeneration} (or the bare {@code T5Model}): one shared
 * embedding for encoder, decoder and (when tied) the LM head, so only {@code shared.weight} is stored.
 */
public final class T5Transformer extends TransformerModel implements Seq2SeqLanguageModel {
    private final T5Settings settings;
    private final T5Stack encoder;
    private final T5Stack decoder;
    private final Linear lmHead;

    T5Transformer(HfConfig config, HeadType head) {
        super(config, head);
        settings = T5Settings.from(config);
        Parameter shared = module("shared", new Embedding(settings.vocabSize(), settings.dModel(), -1)).weight();
        encoder = module("encoder", new T5Stack(settings, shared, false));
        decoder = module("decoder", new T5Stack(settings, shared, true));
        lmHead = head == HeadType.SEQ2SEQ_LM
                ? module("lm_head", new Linear(settings.dModel(), settings.vocabSize(),
                        settings.tieWordEmbeddings() ? shared : null, false, null))
                : null;
    }

    @Override
    public String architecture() {
        return T5Family.ARCHITECTURES.get(head());
    }

    /** transformers' T5PreTrainedModel.base_model_prefix; T5 head models carry no prefix in their names. */
    @Override
    public String baseModelPrefix() {
        return "transformer";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray attentionMask = batch.find("attention_mask");
        NDArray labels = batch.find("labels");
        NDArray decoderIds = batch.find("decoder_input_ids");
        if (decoderIds == null) {
            if (labels == null) {
                throw new IllegalArgumentException(architecture() + " needs decoder_input_ids or labels in the batch"
                        + " (it has " + batch.tensors().keySet() + ")");
            }
            decoderIds = Seq2SeqLabels.shiftRight(labels, settings.decoderStartTokenId(), settings.padTokenId());
        }
        NDArray encoderHidden = encode(batch.get("input_ids"), attentionMask, training);
        NDArray decoderHidden = decoder.forward(decoderIds, batch.find("decoder_attention_mask"), encoderHidden,
                attentionMask, training);
        return Seq2SeqOutputs.of(decoderHidden, encoderHidden, lmHead == null ? null : this::project, labels);
    }

    @Override
    public NDArray encode(NDArray inputIds, NDArray attentionMask, boolean training) {
        return encoder.forward(inputIds, attentionMask, null, null, training);
    }

    @Override
    public NDArray decodeLogits(NDArray decoderInputIds, NDArray decoderAttentionMask, NDArray encoderHidden,
            NDArray encoderAttentionMask, boolean training) {
        if (lmHead == null) {
            throw new IllegalStateException(architecture() + " has no LM head; load T5ForConditionalGeneration to generate");
        }
        return project(decoder.forward(decoderInputIds, decoderAttentionMask, encoderHidden, encoderAttentionMask, training));
    }

    /** The LM head; with tied embeddings the decoder output is first scaled by d_model^-0.5 (Mesh TensorFlow). */
    private NDArray project(NDArray decoderHidden) {
        NDArray hidden = settings.scaleDecoderOutputs()
                ? Scalars.mul(decoderHidden, Math.pow(settings.dModel(), -0.5))
                : decoderHidden;
        return lmHead.forward(hidden);
    }

    @Override
    public long decoderStartTokenId() {
        return settings.decoderStartTokenId();
    }

    @Override
    public long eosTokenId() {
        return settings.eosTokenId();
    }

    @Override
    public long padTokenId() {
        return settings.padTokenId();
    }

    /** T5's own init (T5PreTrainedModel._init_weights): fan-in scaled normals times initializer_factor. */
    @Override
    protected NDArray initialValues(String name, ParameterSpec spec, long seed) {
        if (spec.init() != WeightInit.NORMAL) {
            return super.initialValues(name, spec, seed);
        }
        double std = settings.initializerFactor() * initStd(name);
        int count = Math.toIntExact(spec.shape().size());
        float[] values = new float[count];
        Random random = new Random(seed * 0x9E3779B97F4A7C15L + name.hashCode());
        for (int i = 0; i < count; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return TorchOwned.copyOf(manager().create(values, spec.shape()).toType(dataType(), false));
    }

    private double initStd(String name) {
        double dModel = settings.dModel();
        if (name.endsWith(".q.weight")) {
            return Math.pow(dModel * settings.dKv(), -0.5);
        }
        if (name.endsWith(".k.weight") || name.endsWith(".v.weight") || name.endsWith("relative_attention_bias.weight")
                || name.contains(".wi")) {
            return Math.pow(dModel, -0.5);
        }
        if (name.endsWith(".o.weight")) {
            return Math.pow(settings.innerDim(), -0.5);
        }
        if (name.endsWith(".wo.weight")) {
            return Math.pow(settings.dFf(), -0.5);
        }
        return 1.0; // shared embedding and an untied lm_head
    }
}
