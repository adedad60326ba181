package dev.anneal.worker.model.distilbert;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.index.NDIndex;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.layers.Activations;
import dev.anneal.worker.model.layers.Dropout;
import dev.anneal.worker.model.layers.LayerNorm;
import dev.anneal.worker.model.layers.Linear;
import dev.anneal.worker.tensor.Scalars;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * DistilBERT with its transformers heads: DistilBertModel, DistilBertForSequenceClassification
 * (pre_classifier + ReLU + classifier on [CLS]), DistilBertForQuestionAnswering, DistilBertForMaskedLM
 * (vocab_transform, vocab_layer_norm, vocab_projector tied to the word embeddings),
 * DistilBertForTokenClassification. DistilBERT has no token type ids; they are ignored when given.
 */
public final class DistilBertTransformer extends TransformerModel {
    private final DistilBertSettings settings;
    private final DistilBertBackbone distilbert;
    private final Linear preClassifier;
    private final Linear classifier;
    private final Linear qaOutputs;
    private final Linear vocabTransform;
    private final LayerNorm vocabNorm;
    private final Linear vocabProjector;
    private final UnaryOperator<NDArray> activation;

    DistilBertTransformer(HfConfig config, HeadType head, DistilBertSettings settings) {
        super(config, head);
        this.settings = settings;
        distilbert = head == HeadType.BASE ? inline(new DistilBertBackbone(settings))
                : module("distilbert", new DistilBertBackbone(settings));
        int numLabels = config.numLabels();
        int dim = settings.dim();
        activation = Activations.byName(settings.activation());
        if (head == HeadType.MASKED_LM) {
            vocabTransform = module("vocab_transform", new Linear(dim, dim, true));
            vocabNorm = module("vocab_layer_norm", new LayerNorm(dim, DistilBertSettings.LAYER_NORM_EPS));
            vocabProjector = module("vocab_projector", new Linear(dim, settings.vocabSize(),
                    settings.tieWordEmbeddings() ? distilbert.wordEmbeddings().weight() : null, true, null));
        } else {
            vocabTransform = null;
            vocabNorm = null;
            vocabProjector = null;
        }
        preClassifier = head == HeadType.SEQUENCE_CLASSIFICATION ? module("pre_classifier", new Linear(dim, dim, true)) : null;
        classifier = head == HeadType.SEQUENCE_CLASSIFICATION || head == HeadType.TOKEN_CLASSIFICATION
                ? module("classifier", new Linear(dim, numLabels, true))
                : null;
        if (head == HeadType.QUESTION_ANSWERING && numLabels != 2) {
            throw new IllegalArgumentException("DistilBertForQuestionAnswering needs num_labels 2, config has " + numLabels);
        }
        qaOutputs = head == HeadType.QUESTION_ANSWERING ? module("qa_outputs", new Linear(dim, numLabels, true)) : null;
    }

    @Override
    public String architecture() {
        return DistilBertFamily.ARCHITECTURES.get(head());
    }

    @Override
    public String baseModelPrefix() {
        return "distilbert";
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray hidden = distilbert.forward(batch.get("input_ids"), batch.find("attention_mask"), training);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        NDArray loss = null;
        switch (head()) {
            case BASE -> tensors.put("last_hidden_state", hidden);
            case SEQUENCE_CLASSIFICATION -> {
                NDArray pooled = Scalars.maximum(preClassifier.forward(hidden.get(new NDIndex(":, 0"))), 0);
                NDArray logits = classifier.forward(Dropout.apply(pooled, settings.classifierDropout(), training));
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.sequenceClassification(config(), logits, batch.get("labels"));
                }
            }
            case TOKEN_CLASSIFICATION -> {
                NDArray logits = classifier.forward(Dropout.apply(hidden, settings.dropout(), training));
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.crossEntropy(logits, batch.get("labels"));
                }
            }
            case QUESTION_ANSWERING -> {
                NDList split = qaOutputs.forward(Dropout.apply(hidden, settings.qaDropout(), training)).split(new long[] {1}, 2);
                NDArray start = split.get(0).squeeze(-1);
                NDArray end = split.get(1).squeeze(-1);
                tensors.put("start_logits", start);
                tensors.put("end_logits", end);
                if (batch.has("start_positions") && batch.has("end_positions")) {
                    loss = HfLosses.spanLoss(start, end, batch.get("start_positions"), batch.get("end_positions"));
                }
            }
            case MASKED_LM -> {
                NDArray logits = vocabProjector.forward(vocabNorm.forward(activation.apply(vocabTransform.forward(hidden))));
                tensors.put("logits", logits);
                if (batch.has("labels")) {
                    loss = HfLosses.crossEntropy(logits, batch.get("labels"));
                }
            }
            default -> throw new IllegalStateException("DistilBERT has no " + head() + " head");
        }
        return new ModelOutput(loss, tensors);
    }
}
