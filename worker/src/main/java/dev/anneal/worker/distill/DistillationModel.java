package dev.anneal.worker.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.train.Autograd;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A student classifier trained against a frozen teacher: to everything that trains, evaluates, checkpoints
 * or saves a {@link TransformerModel}, this is the student. Its parameters are exactly the student's, under
 * the student's names (the student is an inline child; the teacher is no child at all), so the optimizer
 * trains only the student and checkpoints and the saved model hold only the student. What differs is the
 * loss: with labels, {@link #forward} returns the {@link DistillationLoss} of the student's and the
 * teacher's logits instead of the student's own loss; the outputs are the student's.
 *
 * <p>The teacher always runs in eval mode (no dropout) with gradient recording off. Neither model is owned:
 * the caller closes both.
 */
public final class DistillationModel extends TransformerModel {
    private final TransformerModel student;
    private final TransformerModel teacher;
    private final Path teacherDirectory;
    private final DistillationSettings settings;

    public DistillationModel(TransformerModel student, TransformerModel teacher, Path teacherDirectory,
            DistillationSettings settings) {
        super(student.config(), student.head());
        this.student = student;
        this.teacher = teacher;
        this.teacherDirectory = teacherDirectory;
        this.settings = settings;
        inline(student);
    }

    @Override
    public ModelOutput forward(Batch batch, boolean training) {
        NDArray labels = batch.find("labels");
        if (labels == null) {
            return student.forward(batch, training);
        }
        Map<String, NDArray> inputs = new LinkedHashMap<>(batch.tensors());
        inputs.remove("labels");
        Batch unlabelled = new Batch(inputs);
        ModelOutput studentOutput = student.forward(unlabelled, training);
        NDArray teacherLogits = Autograd.paused(() -> teacher.forward(unlabelled, false).logits());
        NDArray loss = DistillationLoss.compute(studentOutput.logits(), teacherLogits, labels, settings);
        return new ModelOutput(loss, studentOutput.tensors());
    }

    public TransformerModel student() {
        return student;
    }

    public TransformerModel teacher() {
        return teacher;
    }

    /** The resolved directory the teacher was loaded from (recorded in the saved model's provenance). */
    public Path teacherDirectory() {
        return teacherDirectory;
    }

    public DistillationSettings settings() {
        return settings;
    }

    @Override
    public String architecture() {
        return student.architecture();
    }

    @Override
    public String baseModelPrefix() {
        return student.baseModelPrefix();
    }

    @Override
    public NDManager manager() {
        return student.manager();
    }

    @Override
    public DataType dataType() {
        return student.dataType();
    }

    @Override
    public void setComputeType(DataType type) {
        throw new IllegalStateException("set the compute type on the student and the teacher before they are "
                + "loaded, not on the distillation model");
    }
}
