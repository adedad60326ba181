package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.run.RunFailure;

/** The task implementations this build has, by the request's task. */
public final class TrainingTasks {
    private TrainingTasks() {
    }

    /** A fresh task instance (tasks hold per-run state such as the label space). */
    public static TrainingTask create(Task task) {
        return switch (task) {
            case TASK_UNSPECIFIED, TEXT_CLASSIFICATION -> new TextClassificationTask();
            case QUESTION_ANSWERING, SEQUENCE_SEQUENCE, LANGUAGE_GENERATION, LANGUAGE_MODELING, TOKEN_DETECTION ->
                    throw RunFailure.invalidArgument("task", task + " is not supported by this build yet; "
                            + "supported: TEXT_CLASSIFICATION");
            case UNRECOGNIZED -> throw RunFailure.invalidArgument("task", "unknown task value");
        };
    }
}
