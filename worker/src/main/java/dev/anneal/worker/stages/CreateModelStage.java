package dev.anneal.worker.stages;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.distill.DistillationSetup;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.HfCheckpoint;
import dev.anneal.worker.model.LoadOptions;
import dev.anneal.worker.model.LoadReport;
import dev.anneal.worker.model.lora.LoraModel;
import dev.anneal.worker.model.quantize.FourBitQuantizer;
import dev.anneal.worker.model.quantize.QuantizeRequest;
import dev.anneal.worker.model.tokendetection.TokenDetectionLoader;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.base.BaseModelResolver;
import java.io.IOException;
import java.nio.file.Path;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.TokenDetectionTask;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.train.TrainingArgs;

/**
 * Stage 8: builds the family's model with the task's head from the (task-updated) config and loads the
 * base weights; parameters the base lacks (a new classification head) are initialised from the seed and
 * named in a log event, as transformers warns about them. With a distillation teacher, the model the later
 * stages train is the student behind its frozen teacher.
 */
public final class CreateModelStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.CREATE_MODEL;
    }

    @Override
    public void run(RunState state) {
        BaseModel base = state.get(BaseModel.class);
        TrainingTask task = state.get(TrainingTask.class);
        LoadOptions options = LoadOptions.initializeMissing(state.get(TrainingArgs.class).seed());
        TransformerModel model;
        LoadReport report;
        try {
            if (task instanceof TokenDetectionTask) {
                // txtai's TokenDetection: generator + discriminator from the same base.
                TokenDetectionLoader.Loaded loaded = TokenDetectionLoader.load(base.directory(), base.config(),
                        options);
                model = state.own(loaded.model());
                report = loaded.report();
            } else {
                model = state.own(ModelFamilies.create(base.config(), task.head()));
                report = HfCheckpoint.load(base.directory(), model, options);
                mergeAdapters(state, model);
                quantizeIfRequested(state, model);
            }
        } catch (IOException e) {
            throw RunFailure.invalidArgument("base", "cannot load the weights of " + base.directory() + ": "
                    + e.getMessage());
        }
        if (!report.initialized().isEmpty()) {
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                    .setMessage("newly initialised (not in the base checkpoint): " + report.initialized())).build());
        }
        if (!report.unexpected().isEmpty()) {
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                    .setMessage("base checkpoint tensors not used by " + model.architecture() + ": "
                            + report.unexpected())).build());
        }
        state.put(TransformerModel.class, DistillationSetup.withTeacherIfRequested(state, model));
    }

    /** QLoRA's base: linear weights to 4 bits (bitsandbytes' load_in_4bit), with the memory it saves. */
    private static void quantizeIfRequested(RunState state, TransformerModel model) {
        if (!QuantizeRequest.requested(state.request())) {
            return;
        }
        FourBitQuantizer.Report report = QuantizeRequest.apply(state.request(), model);
        state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO).setMessage(String.format(
                "quantized %d linear layers to 4-bit %s: their weights take %d bytes instead of %d (%.1fx less)",
                report.layers().size(), QuantizeRequest.type(state.request().getQuantize()).bnbName(),
                report.bytesAfter(), report.bytesBefore(), report.ratio()))).build());
    }

    /** A LoRA job as base: its adapters (and its task head) are merged into the base weights, as PEFT's merge_and_unload. */
    private static void mergeAdapters(RunState state, TransformerModel model) throws IOException {
        for (Path adapter : BaseModelResolver.adapters(state.request().getBase(), "base", state.environment())) {
            try {
                LoraModel.load(model, adapter).mergeAndUnload();
            } catch (IllegalArgumentException e) {
                throw new IOException("LoRA adapter " + adapter + ": " + e.getMessage(), e);
            }
            state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO)
                    .setMessage("merged the LoRA adapter " + adapter + " into the base weights")).build());
        }
    }
}
