/**
 * Knowledge distillation for text-classification, as txtai's {@code HFTrainer(..., teacher=, distillation=)}.
 *
 * <p>VALIDATE checks the request ({@link dev.anneal.worker.distill.DistillationSettings#validate}); CREATE_MODEL
 * loads the teacher ({@link dev.anneal.worker.distill.TeacherLoader}: resolved like {@code base}, every weight
 * required, frozen) and hands the later stages a {@link dev.anneal.worker.distill.DistillationModel}: the student
 * under its own names with {@link dev.anneal.worker.distill.DistillationLoss} as its loss. The training loop,
 * evaluation, checkpoints and SAVE see the student only.
 */
package dev.anneal.worker.distill;
