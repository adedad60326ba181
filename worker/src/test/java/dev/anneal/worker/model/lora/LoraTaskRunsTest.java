package dev.anneal.worker.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.Rows;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * LoRA on the other tasks' heads and families: each run lowers its loss, saves an adapter with txtai's PEFT task
 * type, and that adapter attaches to a freshly loaded base with every tensor used.
 */
class LoraTaskRunsTest {
    private static final Path GENERATED = HfReference.generatedDir();

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({
        "LANGUAGE_GENERATION, llama/LlamaForCausalLM, CAUSAL_LM, CAUSAL_LM",
        "LANGUAGE_MODELING, bert/BertForMaskedLM, MASKED_LM, FEATURE_EXTRACTION",
        "SEQUENCE_SEQUENCE, t5/T5ForConditionalGeneration, SEQ2SEQ_LM, SEQ_2_SEQ_LM",
    })
    void trainsAndSavesAnAdapterThatFitsTheBase(Task task, String base, HeadType head, String peftTask,
            @TempDir Path jobs) throws Exception {
        Path baseDir = GENERATED.resolve(base).toAbsolutePath();
        TrainRequest request = TrainRequest.newBuilder().setBase(baseDir.toString()).setTask(task)
                .setLora(dev.anneal.api.v1.LoraConfig.newBuilder().setR(8).setLoraAlpha(16))
                .setTrain(Dataset.newBuilder().setRows(rows(task)))
                .setMaxlength(16)
                .setArgs(TrainingArguments.newBuilder().setNumTrainEpochs(6).setLearningRate(1e-2)
                        .setPerDeviceTrainBatchSize(4).setLoggingSteps(2))
                .build();
        List<TrainEvent> events = new ArrayList<>();
        RunEnvironment job = new RunEnvironment(jobs.resolve("job"), jobs, null);
        JobState state = JobRunner.run(request, job, events::add, new Cancellation());
        assertEquals(JobState.SUCCEEDED, state, () -> events.get(events.size() - 1).toString());
        List<Double> losses = events.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getLoss())
                .toList();
        assertTrue(losses.get(losses.size() - 1) < losses.get(0), "losses " + losses);

        LoraConfig saved = LoraConfig.read(job.modelDir());
        assertEquals(peftTask, saved.taskType());
        try (TransformerModel model = ModelFamilies.create(HfConfig.read(baseDir), head)) {
            HfCheckpoint.load(baseDir, model, LoadOptions.strict());
            LoraModel lora = LoraModel.load(model, job.modelDir());
            assertTrue(lora.targetModules().stream().noneMatch(name -> name.endsWith("lm_head")),
                    "the output layer is not adapted: " + lora.targetModules());
        }
    }

    private static Rows rows(Task task) {
        String[][] pairs = {{"Run", "Sleep"}, {"running", "sleeping"}, {"Running again", "Sleeping again"},
            {"run fast", "sleep well"}};
        Rows.Builder rows = Rows.newBuilder();
        for (int repeat = 0; repeat < 4; repeat++) {
            for (String[] pair : pairs) {
                Map<String, String> values = task == Task.SEQUENCE_SEQUENCE
                        ? Map.of("source", pair[0], "target", pair[1]) : Map.of("text", pair[0] + " then " + pair[1]);
                Struct.Builder row = Struct.newBuilder();
                values.forEach((key, value) -> row.putFields(key, Value.newBuilder().setStringValue(value).build()));
                rows.addRows(row);
            }
        }
        return rows.build();
    }
}
