package dev.anneal.worker.stages;

import dev.anneal.worker.hf.HfConfig;
import java.nio.file.Path;

/** The resolved base: its directory and its config, which the task updates before the model is built. */
public record BaseModel(Path directory, HfConfig config) {
}
