package dev.anneal.worker.model.bert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
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
import dev.anneal.worker.model.layers.WeightInit;

/**
 * RoBERTa with its transformers heads: RobertaModel, RobertaForSequenceClassification (dense + tanh +
 * out_proj on {@code <s>}), RobertaForQuestionAnswering, RobertaForMaskedLM ({@code lm_head}),
 * RobertaForTokenClassification. The backbone is BERT's with positions counted from padding_idx + 1.
 */
public final class RobertaTransformer extends TransformerModel {
    private final BertSettings settings;
    private final BertBackbone roberta;
    private final ClassificationHead sequenceHead;
    private final Linear tokenClassifier;
    private final Linear qaOutputs;
    private final LmHead lmHead;

    RobertaTransformer(HfConfig config, HeadType head, BertSettings settings) {
        super(config, head);
        this.settings = settings;
        roberta = head == HeadType.BASE
                ? inline(new BertBackbone(settings, true))
                : module("roberta", new BertBackbone(settings, false));
        int numLabels = config.numLabels();
        sequenceHead = head == HeadType.SEQUENCE_CLASSIFICATION
                ? module("classifier", new ClassificationHead(settings, numLabels, NDArray::tanh))
                : null;
        tokenClassifier = head == HeadType.TOKEN_CLASSIFICATION
                ? module("classifier", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
        qaOutputs = head == HeadType.QUESTION_ANSWERING
                ? module("qa_outputs", new Linear(settings.hiddenSize(), numLabels, true))
                : null;
        lmHead = head == HeadType.MASKED_LM
                ? module("lm_head", new LmHead(settings, roberta.wordEmbeddings().weight()))
                : null;
    }

    @Override
    public String architecture() {
        return RobertaFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "roberta";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        BertBackbone.Output out = roberta.forward(batch.get("input_ids"), batch.find("attention_mask"),
                batch.find("token_type_ids"), training);
        NDArray hidden = out.lastHiddenState();
        return switch (head()) {
            case BASE -> HeadOutputs.base(out);
            case SEQUENCE_CLASSIFICATION -> HeadOutputs.sequenceClassification(config(),
                    sequenceHead.forward(hidden, training), batch);
            case TOKEN_CLASSIFICATION -> HeadOutputs.tokenClassification(
                    tokenClassifier.forward(Dropout.apply(hidden, settings.headDropout(), training)), batch);
            case QUESTION_ANSWERING -> HeadOutputs.questionAnswering(qaOutputs, hidden, batch);
            case MASKED_LM -> HeadOutputs.maskedLm(lmHead.forward(hidden), batch);
            default -> throw new IllegalStateException("RoBERTa has no " + head() + " head");
        };
    }

    /** {@code RobertaLMHead}: own bias, dense, gelu, layer_norm, decoder tied to the word embeddings. */
    static final class LmHead extends NamedBlock {
        private final Linear dense;
        private final LayerNorm norm;
        private final Linear decoder;

        LmHead(BertSettings s, Parameter wordEmbeddings) {
            Parameter bias = parameter("bias", new Shape(s.vocabSize()), WeightInit.ZEROS);
            dense = module("dense", new Linear(s.hiddenSize(), s.hiddenSize(), true));
            norm = module("layer_norm", new LayerNorm(s.hiddenSize(), s.layerNormEps()));
            decoder = module("decoder", new Linear(s.hiddenSize(), s.vocabSize(),
                    s.tieWordEmbeddings() ? wordEmbeddings : null, true, bias));
        }

        NDArray forward(NDArray hidden) {
            return decoder.forward(norm.forward(Activations.gelu(dense.forward(hidden))));
        }
    }
}
