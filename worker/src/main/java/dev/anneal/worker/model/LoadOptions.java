package dev.anneal.worker.model;

/**
 * How {@link HfCheckpoint#load} treats parameters that the checkpoint lacks.
 *
 * @param initializeMissing initialise them as transformers' {@code _init_weights} does (a fresh task
 *     head on a base checkpoint); when false a missing parameter fails the load
 * @param seed the seed of that initialisation
 */
public record LoadOptions(boolean initializeMissing, long seed) {
    /** Every parameter must come from the checkpoint. */
    public static LoadOptions strict() {
        return new LoadOptions(false, 0);
    }

    /** Parameters the checkpoint lacks are initialised from {@code seed}. */
    public static LoadOptions initializeMissing(long seed) {
        return new LoadOptions(true, seed);
    }
}
