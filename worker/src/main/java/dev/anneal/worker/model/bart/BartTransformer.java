package dev.anneal.worker.model.bart;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.WeightInit;
import dev.anneal.worker.model.seq2seq.Seq2SeqLabels;
import dev.anneal.worker.model.seq2seq.Seq2SeqOutputs;
import dev.anneal.worker.model.seq2seq.Seq2SeqLanguageModel;

/**
 * BART as transformers' {@code BartForConditionalGeneration} (or the bare {@code BartModel}): the LM
 * head is tied to {@code model.shared}, so only {@code model.shared.weight} is stored, and the logits
 * get the {@code final_logits_bias} buffer added.
 */
public final class BartTransformer extends TransformerModel implements Seq2SeqLanguageModel {
    private final BartSettings settings;
    private final Parameter finalLogitsBias;
    private final BartBackbone model;
    private final Linear lmHead;

    BartTransformer(HfConfig config, HeadType head) {
        super(config, head);
        settings = BartSettings.from(config);
        boolean lm = head == HeadType.SEQ2SEQ_LM;
        finalLogitsBias = lm ? parameter("final_logits_bias", new Shape(1, settings.vocabSize()), WeightInit.ZEROS) : null;
        model = lm ? module("model", new BartBackbone(settings)) : inline(new BartBackbone(settings));
        lmHead = lm
                ? module("lm_head", new Linear(settings.dModel(), settings.vocabSize(),
                        settings.tieWordEmbeddings() ? model.shared().weight() : null, false, null))
                : null;
    }

    @Override
    public String architecture() {
        return BartFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "model";
    }

    @Override
    protected double initializerRange() {
        return settings.initStd();
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray inputIds = batch.get("input_ids");
        NDArray attentionMask = batch.find("attention_mask");
        NDArray labels = batch.find("labels");
        NDArray decoderIds = batch.find("decoder_input_ids");
        if (decoderIds == null) {
            // With labels: teacher forcing. Without: BartModel denoises its own input (shifted input_ids).
            decoderIds = Seq2SeqLabels.shiftRight(labels != null ? labels : inputIds, settings.decoderStartTokenId(),
                    settings.padTokenId());
        }
        NDArray encoderHidden = encode(inputIds, attentionMask, training);
        NDArray decoderHidden = model.decode(decoderIds, batch.find("decoder_attention_mask"), encoderHidden, attentionMask,
                training);
        return Seq2SeqOutputs.of(decoderHidden, encoderHidden, lmHead == null ? null : this::project, labels);
    }

    @Override
    public NDArray encode(NDArray inputIds, NDArray attentionMask, boolean training) {
        return model.encode(inputIds, attentionMask, training);
    }

    @Override
    public NDArray decodeLogits(NDArray decoderInputIds, NDArray decoderAttentionMask, NDArray encoderHidden,
            NDArray encoderAttentionMask, boolean training) {
        if (lmHead == null) {
            throw new IllegalStateException(architecture() + " has no LM head; load BartForConditionalGeneration to generate");
        }
        return project(model.decode(decoderInputIds, decoderAttentionMask, encoderHidden, encoderAttentionMask, training));
    }

    /** lm_head plus final_logits_bias; the bias is a buffer in transformers, so no gradient reaches it. */
    private NDArray project(NDArray decoderHidden) {
        return lmHead.forward(decoderHidden).add(finalLogitsBias.getArray().stopGradient());
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
}
