package dev.anneal.worker.model.layers;

/**
 * How a parameter is initialised when the checkpoint does not supply it, after transformers'
 * {@code _init_weights}: linear and embedding weights from normal(0, initializer_range), biases zero,
 * LayerNorm weight one and bias zero.
 */
public enum WeightInit {
    /** normal(0, initializer_range). */
    NORMAL,
    ZEROS,
    ONES
}
