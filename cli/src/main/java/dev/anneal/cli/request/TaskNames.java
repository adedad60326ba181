package dev.anneal.cli.request;

import dev.anneal.api.v1.Task;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The reference's task names ("text-classification", ...) and the proto {@link Task} values. */
public final class TaskNames {

    private TaskNames() {}

    /** Accepts the reference name ("question-answering") or the enum name ("QUESTION_ANSWERING"). */
    public static Task parse(String name) {
        String normalized = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Task task : Task.values()) {
            if (task != Task.TASK_UNSPECIFIED && task != Task.UNRECOGNIZED && task.name().equals(normalized)) {
                return task;
            }
        }
        throw new IllegalArgumentException("--task " + name + ": unknown task; one of " + known());
    }

    public static String referenceName(Task task) {
        Task effective = task == Task.TASK_UNSPECIFIED ? Task.TEXT_CLASSIFICATION : task;
        return effective.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String known() {
        return Arrays.stream(Task.values())
                .filter(t -> t != Task.TASK_UNSPECIFIED && t != Task.UNRECOGNIZED)
                .map(TaskNames::referenceName)
                .collect(Collectors.joining(", "));
    }
}
