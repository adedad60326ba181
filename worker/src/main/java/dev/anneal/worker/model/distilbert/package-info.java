/** DistilBERT ({@code distilbert}): learned positions, no token types, q/k/v/out_lin attention. */
package dev.anneal.worker.model.distilbert;
