package dev.anneal.worker.model;

/** The task heads a model family can put on its backbone, named after the Hugging Face classes. */
public enum HeadType {
    /** The bare backbone ({@code BertModel}, {@code GPT2Model}, ...). */
    BASE,
    /** {@code *ForSequenceClassification}: single-label, multi-label or regression by problem_type. */
    SEQUENCE_CLASSIFICATION,
    /** {@code *ForQuestionAnswering}: start and end logits per token. */
    QUESTION_ANSWERING,
    /** {@code *ForTokenClassification}. */
    TOKEN_CLASSIFICATION,
    /** {@code *ForMaskedLM} (also the ELECTRA generator). */
    MASKED_LM,
    /** {@code ElectraForPreTraining}: the replaced-token discriminator. */
    PRETRAINING,
    /** {@code *ForCausalLM} / {@code GPT2LMHeadModel}. */
    CAUSAL_LM,
    /** {@code *ForConditionalGeneration}: encoder-decoder language model. */
    SEQ2SEQ_LM
}
