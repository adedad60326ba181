package dev.anneal.gateway;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import java.nio.file.Files;
import java.nio.file.Path;

/** Requests the gateway tests send: txtai's basic text-classification scenario on the BERT fixture. */
public final class TrainRequests {
    private TrainRequests() {
    }

    /** The tiny BERT sequence-classification checkpoint copied into the repo. */
    public static Path bertBase() {
        return generatedModel("bert/BertForSequenceClassification");
    }

    /** A generated tiny checkpoint copied into the repo, e.g. "gpt2/GPT2LMHeadModel". */
    public static Path generatedModel(String familyAndClass) {
        Path fixtures = Path.of(System.getProperty("anneal.fixtures.dir", "../fixtures"));
        Path base = fixtures.resolve("hf/generated").resolve(familyAndClass).toAbsolutePath().normalize();
        if (!Files.isRegularFile(base.resolve("config.json"))) {
            throw new IllegalStateException("fixture " + familyAndClass + " not found at " + base
                    + " (anneal.fixtures.dir=" + System.getProperty("anneal.fixtures.dir") + ")");
        }
        return base;
    }

    public static Struct row(String text, int label) {
        return Struct.newBuilder()
                .putFields("text", Value.newBuilder().setStringValue(text).build())
                .putFields("label", Value.newBuilder().setNumberValue(label).build())
                .build();
    }

    /** txtai's basic rows: [Dogs/0, dog/0, Cats/1, cat/1] * 100. */
    public static Rows txtaiRows() {
        return txtaiRows(100);
    }

    /** [Dogs/0, dog/0, Cats/1, cat/1] * times. */
    public static Rows txtaiRows(int times) {
        Rows.Builder rows = Rows.newBuilder();
        for (int i = 0; i < times; i++) {
            rows.addRows(row("Dogs", 0)).addRows(row("dog", 0)).addRows(row("Cats", 1)).addRows(row("cat", 1));
        }
        return rows.build();
    }

    /** The basic scenario with arguments that make the tiny model learn in seconds. */
    public static TrainRequest.Builder txtaiBasic() {
        return TrainRequest.newBuilder()
                .setBase(bertBase().toString())
                .setTask(Task.TEXT_CLASSIFICATION)
                .setTrain(Dataset.newBuilder().setRows(txtaiRows()))
                .setArgs(TrainingArguments.newBuilder()
                        .setMaxSteps(60)
                        .setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(8)
                        .setLoggingSteps(5)
                        .setSeed(42));
    }

    /** A job that trains far longer than any test waits: for cancellation and queueing tests. */
    public static TrainRequest.Builder longRunning() {
        TrainRequest.Builder request = txtaiBasic();
        request.getArgsBuilder().setMaxSteps(1_000_000).setLoggingSteps(1);
        return request;
    }
}
