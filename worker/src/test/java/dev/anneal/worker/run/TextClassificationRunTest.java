package dev.anneal.worker.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.testing.AnimalRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** txtai's basic scenario through the whole pipeline in process: Dogs/dog are 0, Cats/cat are 1. */
class TextClassificationRunTest {
    static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertModel");

    @Test
    void learnsDogsAndCatsAndSavesAHuggingFaceDirectory(@TempDir Path jobs) throws Exception {
        TrainRequest request = TrainRequest.newBuilder()
                .setBase(BERT.toAbsolutePath().toString())
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(100)))
                .setValidation(Dataset.newBuilder().setRows(AnimalRows.times(2)))
                .addMetrics("accuracy")
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(1).setLearningRate(1e-3)
                        .setPerDeviceTrainBatchSize(16).setLoggingSteps(5))
                .build();
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment environment = new RunEnvironment(jobs.resolve("job-1"), jobs, null);
        JobState state = JobRunner.run(request, environment, events::add, new Cancellation());

        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.SUCCEEDED, state, () -> last.toString());
        List<Stage> started = events.stream().filter(TrainEvent::hasStageStarted)
                .map(e -> e.getStageStarted().getStage()).toList();
        assertEquals(List.of(Stage.VALIDATE, Stage.PARSE_ARGUMENTS, Stage.SET_SEED, Stage.LOAD_CONFIG_AND_TOKENIZER,
                Stage.SET_PAD_TOKEN, Stage.PREPARE_DATA_PROCESSING, Stage.TOKENIZE, Stage.CREATE_MODEL,
                Stage.APPLY_LORA, Stage.BUILD_TRAINER, Stage.TRAIN, Stage.EVALUATE, Stage.SAVE, Stage.FINISH), started);
        List<Double> losses = events.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getLoss()).toList();
        assertTrue(losses.size() >= 4, "progress events: " + losses);
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "loss should fall: " + losses);
        assertEquals(1.0, last.getFinished().getMetricsOrThrow("eval_accuracy"), 1e-9);
        Path model = environment.modelDir();
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "trainer_state.json")) {
            assertTrue(Files.isRegularFile(model.resolve(file)), file);
        }
        System.out.println(last);
    }
}
