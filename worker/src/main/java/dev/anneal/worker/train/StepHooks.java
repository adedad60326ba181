package dev.anneal.worker.train;

/** What runs between optimizer steps and at epoch ends: Hugging Face's evaluate / save / stop decisions. */
public interface StepHooks {
    StepHooks NONE = new StepHooks() {
    };

    default void afterStep(TrainingLoop loop) {
    }

    default void afterEpoch(TrainingLoop loop) {
    }
}
