/**
 * GPT-2 ({@code model_type} "gpt2"): {@code GPT2Model}, {@code GPT2LMHeadModel} (lm_head tied to wte) and
 * {@code GPT2ForSequenceClassification} (bias-free score on the last non-pad token), with transformers'
 * parameter names and Conv1D weight layout [in, out]. Build through
 * {@link dev.anneal.worker.model.ModelFamilies#create}; the batch may carry {@code position_ids} and, for
 * the causal LM loss, {@code num_items_in_batch}.
 */
package dev.anneal.worker.model.gpt2;
