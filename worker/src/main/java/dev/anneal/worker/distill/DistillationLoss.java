package dev.anneal.worker.distill;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.anneal.worker.model.HfLosses;
import dev.anneal.worker.tensor.Scalars;

/**
 * The loss of txtai's {@code DistillationTrainer.compute_loss}, with s and t the student's and teacher's
 * logits [N, classes]:
 *
 * <pre>
 * loss = (1 - alpha) * CE(s, labels) + alpha * T^2 * sum(softmax(t/T) * (log_softmax(t/T) - log_softmax(s/T))) / N
 * </pre>
 *
 * The second term is torch's {@code KLDivLoss(reduction="batchmean")} of the softened distributions, scaled
 * by T^2 so its gradients keep their size as T grows (Hinton et al.). Computed in float32 like
 * transformers' losses.
 */
public final class DistillationLoss {
    private DistillationLoss() {
    }

    public static NDArray compute(NDArray studentLogits, NDArray teacherLogits, NDArray labels,
            DistillationSettings settings) {
        if (!studentLogits.getShape().equals(teacherLogits.getShape())) {
            throw new IllegalArgumentException("student logits " + studentLogits.getShape()
                    + " and teacher logits " + teacherLogits.getShape() + " differ in shape");
        }
        NDArray student = toFloat32(studentLogits);
        NDArray teacher = toFloat32(teacherLogits);
        double temperature = settings.temperature();
        double alpha = settings.alpha();
        long examples = student.getShape().get(0);
        // Constants go through Scalars: autograd keeps them for backward, and DJL's x.mul(2f) does not.
        NDArray hard = HfLosses.crossEntropy(student, labels);
        NDArray studentLogProbs = Scalars.div(student, temperature).logSoftmax(-1);
        NDArray teacherLogProbs = Scalars.div(teacher, temperature).logSoftmax(-1);
        NDArray divergence = teacherLogProbs.exp().mul(teacherLogProbs.sub(studentLogProbs)).sum();
        NDArray soft = Scalars.mul(divergence, temperature * temperature / examples);
        return Scalars.mul(hard, 1 - alpha).add(Scalars.mul(soft, alpha));
    }

    private static NDArray toFloat32(NDArray logits) {
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }
}
