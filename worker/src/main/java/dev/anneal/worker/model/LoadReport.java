package dev.anneal.worker.model;

import java.util.List;

/**
 * What a checkpoint load did, by transformers parameter name.
 *
 * @param loaded parameters that took a stored tensor
 * @param initialized parameters the checkpoint lacked, initialised fresh (transformers' "newly initialized")
 * @param unexpected stored tensors no parameter took (transformers' "unexpected keys")
 * @param ignored stored tensors skipped on purpose: tied copies and buffers transformers recomputes
 */
public record LoadReport(List<String> loaded, List<String> initialized, List<String> unexpected, List<String> ignored) {
    public LoadReport {
        loaded = List.copyOf(loaded);
        initialized = List.copyOf(initialized);
        unexpected = List.copyOf(unexpected);
        ignored = List.copyOf(ignored);
    }
}
