package dev.anneal.worker.stages;

import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.lora.LoraConfig;
import dev.anneal.worker.model.lora.LoraModel;
import dev.anneal.worker.model.lora.LoraRequest;
import dev.anneal.worker.model.lora.LoraTransformerModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.train.TrainingArgs;

/**
 * Stage 9: with {@code lora} in the request, adds LoRA adapters to the model's linear layers (PEFT's
 * get_peft_model) and hands the later stages a {@link LoraTransformerModel} whose parameters are only the
 * adapters and the task head; without it the model is trained in full.
 */
public final class ApplyLoraStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.APPLY_LORA;
    }

    @Override
    public void run(RunState state) {
        if (!LoraRequest.requested(state.request())) {
            return;
        }
        TransformerModel model = state.get(TransformerModel.class);
        LoraConfig config = LoraRequest.configFor(state.request().getLora(), model.head());
        LoraModel lora;
        try {
            lora = LoraModel.apply(model, config, state.get(TrainingArgs.class).seed());
        } catch (IllegalArgumentException e) {
            throw RunFailure.invalidArgument("lora.target_modules", e.getMessage());
        }
        LoraTransformerModel adapted = state.own(new LoraTransformerModel(lora));
        long trainable = adapted.namedParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
        // Counted from the shapes: a 4-bit base holds no full-precision arrays.
        long total = trainable + model.parameterSpecs().values().stream()
                .filter(spec -> !lora.trainableParameters().containsValue(spec.parameter()))
                .mapToLong(spec -> spec.shape().size()).sum();
        state.emit(TrainEvent.newBuilder().setLog(Log.newBuilder().setLevel(Log.Level.INFO).setMessage(String.format(
                "LoRA r=%d alpha=%s on %d layers: trainable params: %d || all params: %d || trainable%%: %.4f",
                config.r(), config.alpha(), lora.targetModules().size(), trainable, total,
                100.0 * trainable / total))).build());
        state.put(TransformerModel.class, adapted);
    }
}
