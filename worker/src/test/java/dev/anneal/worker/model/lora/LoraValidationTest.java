package dev.anneal.worker.model.lora;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.JobError;
import dev.anneal.api.v1.JobState;
import dev.anneal.api.v1.QuantizeConfig;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.Task;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import dev.anneal.api.v1.TrainingArguments;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.JobRunner;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.testing.AnimalRows;
import dev.anneal.worker.validate.RequestValidator;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What VALIDATE refuses about {@code lora} (the gateway runs the same checks before it accepts a job), and the
 * target modules APPLY_LORA cannot find in the model, each an INVALID_ARGUMENT naming {@code lora.<field>}.
 */
class LoraValidationTest {
    private static TrainRequest.Builder request(dev.anneal.api.v1.LoraConfig.Builder lora) {
        return TrainRequest.newBuilder().setBase("/models/bert").setLora(lora)
                .setTrain(Dataset.newBuilder().setRows(AnimalRows.times(1)));
    }

    private static dev.anneal.api.v1.LoraConfig.Builder lora() {
        return dev.anneal.api.v1.LoraConfig.newBuilder();
    }

    private static String refusal(TrainRequest.Builder request) {
        RunFailure failure = assertThrows(RunFailure.class, () -> RequestValidator.validate(request.build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        return failure.getMessage();
    }

    @Test
    void unsetFieldsTakeTxtaisDefaults() {
        RequestValidator.validate(request(lora()).build());
        LoraConfig config = LoraRequest.configFor(lora().build(), HeadType.SEQUENCE_CLASSIFICATION);
        assertEquals(16, config.r());
        assertEquals(8.0, config.alpha());
        assertEquals(0.0, config.dropout());
        assertNull(config.targetModules(), "all linear layers");
        assertEquals("SEQ_CLS", config.taskType());
        assertEquals(List.of("classifier", "score"), config.modulesToSave());
        LoraConfig explicit = LoraRequest.configFor(lora().setR(4).setLoraAlpha(32).setLoraDropout(0.05)
                .addTargetModules("query").build(), HeadType.QUESTION_ANSWERING);
        assertEquals(new LoraConfig(4, 32, 0.05, List.of("query"), List.of("qa_outputs"), false, "QUESTION_ANS"),
                explicit);
    }

    @Test
    void outOfRangeSettingsAreRefusedNamingTheField() {
        assertEquals("lora.r: must be > 0 (0 means 16), got -1", refusal(request(lora().setR(-1))));
        for (double alpha : new double[] {-1, Double.NaN, Double.POSITIVE_INFINITY}) {
            assertEquals("lora.lora_alpha: must be a finite number > 0 (0 means 8), got " + alpha,
                    refusal(request(lora().setLoraAlpha(alpha))));
        }
        for (double dropout : new double[] {1.0, -0.1, Double.NaN}) {
            assertEquals("lora.lora_dropout: must be in [0, 1), got " + dropout,
                    refusal(request(lora().setLoraDropout(dropout))));
        }
        assertEquals("lora.target_modules[1]: is blank: name a linear module, e.g. query or dense",
                refusal(request(lora().addTargetModules("query").addTargetModules(" "))));
    }

    @Test
    void combinationsThisBuildCannotTrainAreRefused() {
        assertEquals("lora: is not supported for TOKEN_DETECTION (a generator and a discriminator trained together); "
                + "train it in full", refusal(request(lora()).setTask(Task.TOKEN_DETECTION)));
        assertEquals("lora: cannot be combined with a distillation teacher; train the student in full",
                refusal(request(lora()).setTeacher("/models/teacher")));
    }

    @Test
    void quantizeNeedsLoraAndABitsandbytesTypeWithoutDoubleQuantization() {
        RequestValidator.validate(request(lora()).setQuantize(QuantizeConfig.getDefaultInstance()).build());
        RequestValidator.validate(request(lora()).setQuantize(QuantizeConfig.newBuilder().setBnb4BitQuantType("fp4"))
                .build());
        assertEquals("quantize: needs lora: 4-bit weights are frozen, so only LoRA adapters can train on them (QLoRA)",
                refusal(request(lora()).clearLora().setQuantize(QuantizeConfig.getDefaultInstance())));
        assertEquals("quantize.bnb_4bit_quant_type: must be nf4 or fp4, got 'int8'",
                refusal(request(lora()).setQuantize(QuantizeConfig.newBuilder().setBnb4BitQuantType("int8"))));
        assertEquals("quantize.bnb_4bit_use_double_quant: double quantization of the block scales is not supported "
                + "by this build; leave it false", refusal(request(lora()).setQuantize(QuantizeConfig.newBuilder()
                .setBnb4BitUseDoubleQuant(true))));
    }

    @Test
    void targetModulesTheModelLacksFailApplyLora(@TempDir Path jobs) {
        String bert = HfReference.generatedDir().resolve("bert/BertModel").toString();
        JobError unknown = fail(request(lora().addTargetModules("query").addTargetModules("q_proj")).setBase(bert), jobs);
        assertEquals("lora.target_modules: lora target module 'q_proj' matches no module of "
                + "BertForSequenceClassification", unknown.getMessage());
        JobError notLinear = fail(request(lora().addTargetModules("LayerNorm")).setBase(bert), jobs);
        assertEquals("lora.target_modules: lora target module 'bert.embeddings.LayerNorm' is a LayerNorm, not a "
                + "linear layer; LoRA adapts Linear layers only", notLinear.getMessage());
    }

    private static JobError fail(TrainRequest.Builder request, Path jobs) {
        List<TrainEvent> events = new ArrayList<>();
        JobState state = JobRunner.run(request.setArgs(TrainingArguments.newBuilder().setMaxSteps(1)).build(),
                new RunEnvironment(jobs.resolve("job-" + System.nanoTime()), jobs, null), events::add,
                new Cancellation());
        TrainEvent last = events.get(events.size() - 1);
        assertEquals(JobState.FAILED, state, last::toString);
        JobError error = last.getFinished().getError();
        assertEquals("INVALID_ARGUMENT", error.getCode(), error::toString);
        assertEquals(Stage.APPLY_LORA, error.getStage(), error::toString);
        return error;
    }
}
