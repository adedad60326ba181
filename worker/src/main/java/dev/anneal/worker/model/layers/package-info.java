/**
 * Building blocks shared by the model families: PyTorch-named DJL blocks ({@code Linear}, {@code LayerNorm},
 * {@code Embedding}, groups), activations by transformers name, dropout active only in training, and
 * additive attention masks with transformers' {@code finfo.min}.
 */
package dev.anneal.worker.model.layers;
