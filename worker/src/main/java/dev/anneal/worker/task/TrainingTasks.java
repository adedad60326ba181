package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.RunFailure;

/** The task implementations this build has, by the request's task. */
public final class TrainingTasks {
    private TrainingTasks() {
    }

    /** A fresh task instance for the request's task, stride, prefix (and merge). */
    public static TrainingTask create(TrainRequest request) {
        return create(request.getTask(), TaskOptions.of(request));
    }

    /** A fresh task instance with txtai's defaults (stride 128, no prefix, merge concat). */
    public static TrainingTask create(Task task) {
        return create(task, TaskOptions.DEFAULTS);
    }

    /** A fresh task instance (tasks hold per-run state such as the label space). */
    public static TrainingTask create(Task task, TaskOptions options) {
        return switch (task) {
            case TASK_UNSPECIFIED, TEXT_CLASSIFICATION -> new TextClassificationTask();
            case QUESTION_ANSWERING -> new QuestionAnsweringTask(options.stride());
            case SEQUENCE_SEQUENCE -> new SequenceSequenceTask(options.prefix());
            case LANGUAGE_GENERATION -> new LanguageGenerationTask(options.merge());
            case LANGUAGE_MODELING -> new LanguageModelingTask(options.merge());
            case TOKEN_DETECTION -> new TokenDetectionTask(options.merge());
            case UNRECOGNIZED -> throw RunFailure.invalidArgument("task", "unknown task value");
        };
    }
}
