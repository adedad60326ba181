package dev.anneal.worker.distill;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Distillation through the whole pipeline ({@link JobRunner}): teachers that cannot teach fail the run at
 * CREATE_MODEL naming the {@code teacher} field. txtai's testKD itself (a teacher job distilling into a
 * student) runs end to end through the gateway: {@code DistillationScenarioTest} in the gateway's tests.
 */
class DistillationRunTest {
    private static final Path GENERATED = HfReference.generatedDir();

    @Test
    void teachersThatCannotTeachFailTheRunNamingTheField(@TempDir Path jobs) {
        Rows.Builder threeClasses = AnimalRows.times(2).toBuilder().addRows(Struct.newBuilder()
                .putFields("text", Value.newBuilder().setStringValue("fish").build())
                .putFields("label", Value.newBuilder().setNumberValue(2).build()));
        String bert = GENERATED.resolve("bert/BertModel").toString();
        String twoLabelClassifier = FixtureClassifiers.BERT.toString();

        JobError unknown = fail(TrainRequest.newBuilder().setBase(bert).setTeacher("job:no-such-job")
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(2))).build(), jobs, "unknown");
        assertEquals("teacher: job no-such-job has no saved model", unknown.getMessage());

        JobError labels = fail(TrainRequest.newBuilder().setBase(bert).setTeacher(twoLabelClassifier)
                .setTrain(Dataset.newBuilder().setRows(threeClasses)).build(), jobs, "labels");
        assertEquals("teacher: " + twoLabelClassifier + " has 2 labels, the training data has 3", labels.getMessage());

        JobError untrained = fail(TrainRequest.newBuilder().setBase(bert).setTeacher(bert)
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(2))).build(), jobs, "untrained");
        assertTrue(untrained.getMessage().startsWith("teacher: cannot load " + bert
                + " as a trained BertForSequenceClassification: "), untrained.getMessage());
        assertTrue(untrained.getMessage().contains("classifier.weight"), untrained.getMessage());
    }

    private static JobError fail(TrainRequest request, Path jobs, String name) {
        List<TrainEvent> events = new ArrayList<>();
        JobState state = JobRunner.run(request, new RunEnvironment(jobs.resolve(name), jobs, null), events::add,
                new Cancellation());
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, state, last::toString);
        JobError error = last.getFinished().getError();
        assertEquals("INVALID_ARGUMENT", error.getCode(), error::toString);
        assertEquals(Stage.CREATE_MODEL, error.getStage(), error::toString);
        return error;
    }
}
