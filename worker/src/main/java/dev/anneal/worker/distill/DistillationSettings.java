package dev.anneal.worker.distill;

import dev.anneal.api.v1.Distillation;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.run.RunFailure;

/**
 * txtai's {@code distillation=(temperature, alpha)}: the softmax temperature T of both models' logits and
 * the weight alpha of the teacher term, (1.0, 0.5) unless the request says otherwise.
 */
public record DistillationSettings(double temperature, double alpha) {
    public static final double DEFAULT_TEMPERATURE = 1.0;
    public static final double DEFAULT_ALPHA = 0.5;

    public DistillationSettings {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw RunFailure.invalidArgument("distillation.temperature", "must be a finite number > 0, got "
                    + temperature);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            throw RunFailure.invalidArgument("distillation.alpha", "must be in [0, 1] (the weight of the teacher "
                    + "term), got " + alpha);
        }
    }

    /** The request's settings with unset fields at their defaults. */
    public static DistillationSettings of(Distillation distillation) {
        return new DistillationSettings(
                distillation.hasTemperature() ? distillation.getTemperature() : DEFAULT_TEMPERATURE,
                distillation.hasAlpha() ? distillation.getAlpha() : DEFAULT_ALPHA);
    }

    /** Whether the request asks for distillation. */
    public static boolean requested(TrainRequest request) {
        return !request.getTeacher().isEmpty();
    }

    /**
     * The checks that need nothing but the request: settings in range, a teacher only for
     * text-classification, settings only with a teacher. Resolving and loading the teacher happen in
     * CREATE_MODEL ({@link TeacherLoader}).
     */
    public static void validate(TrainRequest request) {
        if (!requested(request)) {
            if (request.hasDistillation()) {
                throw RunFailure.invalidArgument("distillation", "is only used with a teacher; set teacher too");
            }
            return;
        }
        if (request.getTeacher().isBlank()) {
            throw RunFailure.invalidArgument("teacher", "is blank: give a Hugging Face model directory, hub id or "
                    + "job:<id>");
        }
        Task task = request.getTask();
        if (task != Task.TEXT_CLASSIFICATION && task != Task.TASK_UNSPECIFIED) {
            throw RunFailure.invalidArgument("teacher", "distillation is only supported for TEXT_CLASSIFICATION, not "
                    + task);
        }
        of(request.getDistillation());
    }
}
