package dev.anneal.worker.run;

import dev.anneal.api.v1.Stage;

/** One named stage of the pipeline; it reads what earlier stages left in the run state and adds its own. */
public interface PipelineStep {
    Stage stage();

    void run(RunState state);
}
