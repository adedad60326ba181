package dev.anneal.worker.distill;

import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.RunState;

/** Puts the request's teacher, when there is one, behind the student the pipeline trains. */
public final class DistillationSetup {
    private DistillationSetup() {
    }

    /**
     * The student itself without a teacher; otherwise a {@link DistillationModel} over the student and the
     * loaded, frozen teacher. The run owns (and closes) the teacher and the wrapper.
     */
    public static TransformerModel withTeacherIfRequested(RunState state, TransformerModel student) {
        if (!DistillationSettings.requested(state.request())) {
            return student;
        }
        DistillationSettings settings = DistillationSettings.of(state.request().getDistillation());
        HfConfig studentConfig = student.config();
        TeacherLoader.Teacher teacher = TeacherLoader.load(state.request().getTeacher(), state.environment(),
                studentConfig);
        state.own(teacher.model());
        return state.own(new DistillationModel(student, teacher.model(), teacher.directory(), settings));
    }
}
