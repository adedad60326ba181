/**
 * Llama ({@code model_type} "llama"): {@code LlamaModel}, {@code LlamaForCausalLM} and
 * {@code LlamaForSequenceClassification}, with grouped-query attention, default RoPE (rope_theta in either
 * transformers spelling), RMSNorm and the SiLU-gated MLP. Build through
 * {@link dev.anneal.worker.model.ModelFamilies#create}; for left-padded batches pass {@code position_ids}
 * from {@link dev.anneal.worker.model.causal.CausalPositions#fromAttentionMask} as transformers' generate does.
 */
package dev.anneal.worker.model.llama;
