package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.model.layers.NamedBlock;
import dev.anneal.worker.tensor.Scalars;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * ELECTRA with its transformers heads: ElectraModel, ElectraForMaskedLM (the generator:
 * generator_predictions + generator_lm_head tied to the word embeddings), ElectraForPreTraining (the
 * replaced-token discriminator), ElectraForSequenceClassification, ElectraForQuestionAnswering,
 * ElectraForTokenClassification. Embeddings of embedding_size are projected to hidden_size.
 */
public final class ElectraTransformer extends TransformerModel {
    private final BertSettings settings;
    private final BertBackbone electra;
    private final GeneratorPredictions generatorPredictions;
    private final Linear generatorLmHead;
    private final DiscriminatorPredictions discriminatorPredictions;
    private final ClassificationHead sequenceHead;
    private final Linear tokenClassifier;
    private final Linear qaOutputs;

    ElectraTransformer(HfConfig config, HeadType head, BertSettings settings) {
        super(config, head);
        this.settings = settings;
        electra = head == HeadType.BASE
                ? inline(new BertBackbone(settings, false))
                : module("electra", new BertBackbone(settings, false));
        int numLabels = config.numLabels();
        if (head == HeadType.MASKED_LM) {
            generatorPredictions = module("generator_predictions", new GeneratorPredictions(settings));
            generatorLmHead = module("generator_lm_head", new Linear(settings.embeddingSize(), settings.vocabSize(),
                    settings.tieWordEmbeddings() ? electra.wordEmbeddings().weight() : null, true, null));
        } else {
            generatorPredictions = null;
            generatorLmHead = null;
        }
        discriminatorPredictions = head == HeadType.PRETRAINING
                ? module("discriminator_predictions", new DiscriminatorPredictions(settings))
                : null;
        sequenceHead = head == HeadType.SEQUENCE_CLASSIFICATION
                ? module("classifier", new ClassificationHead(settings, numLabels, Activations::gelu))
                : null;
        tokenClassifier = head == HeadType.TOKEN_CLASSIFICATION
                ? module("classifier", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
        qaOutputs = head == HeadType.QUESTION_ANSWERING
                ? module("qa_outputs", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
    }

    @Override
    public String architecture() {
        return ElectraFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "electra";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray mask = batch.find("attention_mask");
        BertBackbone.Output out = electra.forward(batch.get("input_ids"), mask, batch.find("token_type_ids"), training);
        NDArray hidden = out.lastHiddenState();
        return switch (head()) {
            case BASE -> HeadOutputs.base(out);
            case MASKED_LM -> HeadOutputs.maskedLm(generatorLmHead.forward(generatorPredictions.forward(hidden)), batch);
            case PRETRAINING -> {
                NDArray logits = discriminatorPredictions.forward(hidden);
                NDArray loss = batch.has("labels") ? replacedTokenLoss(logits, batch.get("labels"), mask) : null;
                yield new ModelOutput(loss, Map.of("logits", logits));
            }
            case SEQUENCE_CLASSIFICATION -> HeadOutputs.sequenceClassification(config(),
                    sequenceHead.forward(hidden, training), batch);
            case TOKEN_CLASSIFICATION -> HeadOutputs.tokenClassification(
                    tokenClassifier.forward(Dropout.apply(hidden, settings.headDropout(), training)), batch);
            case QUESTION_ANSWERING -> HeadOutputs.questionAnswering(qaOutputs, hidden, batch);
            default -> throw new IllegalStateException("ELECTRA has no " + head() + " head");
        };
    }

    /**
     * ElectraForPreTraining's loss: binary cross entropy with logits over the positions whose
     * attention_mask is 1 (all positions without a mask).
     */
    static NDArray replacedTokenLoss(NDArray logits, NDArray labels, NDArray attentionMask) {
        NDArray targets = labels.toType(logits.getDataType(), false);
        NDArray perToken = Scalars.maximum(logits, 0).sub(logits.mul(targets)).add(logits.abs().neg().exp().add(1f).log());
        if (attentionMask == null) {
            return perToken.mean();
        }
        NDArray active = attentionMask.eq(1).toType(logits.getDataType(), false);
        return perToken.mul(active).sum().div(active.sum());
    }

    /** {@code ElectraGeneratorPredictions}: dense (hidden -> embedding), gelu, LayerNorm. */
    static final class GeneratorPredictions extends NamedBlock {
        private final LayerNorm norm;
        private final Linear dense;

        GeneratorPredictions(BertSettings s) {
            norm = module("LayerNorm", new LayerNorm(s.embeddingSize(), s.layerNormEps()));
            dense = module("dense", new Linear(s.hiddenSize(), s.embeddingSize(), true));
        }

        NDArray forward(NDArray hidden) {
            return norm.forward(Activations.gelu(dense.forward(hidden)));
        }
    }

    /** {@code ElectraDiscriminatorPredictions}: dense, hidden_act, dense_prediction to one logit per token. */
    static final class DiscriminatorPredictions extends NamedBlock {
        private final Linear dense;
        private final Linear prediction;
        private final UnaryOperator<NDArray> activation;

        DiscriminatorPredictions(BertSettings s) {
            dense = module("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true));
            prediction = module("dense_prediction", new Linear(s.hiddenSize(), 1, true));
            activation = Activations.byName(s.hiddenAct());
        }

        NDArray forward(NDArray hidden) {
            return prediction.forward(activation.apply(dense.forward(hidden))).squeeze(-1);
        }
    }

}
