package dev.anneal.cli.output;

import dev.anneal.api.v1.Stage;

/** Labels stages as "[ 7/14] TOKENIZE": the pipeline's fourteen are numbered, platform stages are not. */
final class StageNames {

    static final int PIPELINE_STAGES = Stage.FINISH_VALUE - Stage.VALIDATE_VALUE + 1;

    private StageNames() {}

    static String label(Stage stage) {
        int number = stage.getNumber() - Stage.VALIDATE_VALUE + 1;
        if (stage == Stage.UNRECOGNIZED || number < 1 || number > PIPELINE_STAGES) {
            return "[     ] " + stage.name();
        }
        return String.format("[%2d/%d] %s", number, PIPELINE_STAGES, stage.name());
    }
}
