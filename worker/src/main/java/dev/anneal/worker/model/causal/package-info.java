/**
 * What decoder-only (causal) language models share, whatever the family: position ids, the shifted
 * language-model loss with num_items_in_batch, last-token pooling for sequence classification and
 * greedy generation.
 */
package dev.anneal.worker.model.causal;
