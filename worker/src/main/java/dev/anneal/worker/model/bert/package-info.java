/**
 * The BERT-style encoders that share one backbone: BERT ({@code bert}), RoBERTa ({@code roberta}: positions
 * from padding_idx + 1, its own classification and LM heads) and ELECTRA ({@code electra}: embeddings
 * projected to hidden_size, generator and discriminator heads).
 */
package dev.anneal.worker.model.bert;
