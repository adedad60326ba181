package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.base.BaseModelResolver;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.ModelFamilies;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.task.TrainingTasks;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Stage 4: resolves {@code base}, reads config.json and the tokenizer, and fixes maxlength: the request's
 * value capped by the tokenizer's model_max_length; an unbounded tokenizer takes the config's
 * max_position_embeddings, as txtai's {@code Models.checklength} does.
 */
public final class LoadConfigAndTokenizerStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.LOAD_CONFIG_AND_TOKENIZER;
    }

    @Override
    public void run(RunState state) {
        Path base = BaseModelResolver.resolve(state.request().getBase(), state.environment());
        HfConfig config;
        try {
            config = HfConfig.read(base);
        } catch (IOException | RuntimeException e) {
            throw RunFailure.invalidArgument("base", "cannot read config.json of " + base + ": " + e.getMessage());
        }
        TrainingTask task = TrainingTasks.create(state.request());
        ModelFamilies.requireSupported(config.modelType(), task.head());
        TokenizerSettings settings = TokenizerSettings.read(base);
        long modelMax = settings.modelMaxLength() == TokenizerSettings.UNBOUNDED
                ? config.getLong("max_position_embeddings", config.getLong("n_positions", 512))
                : settings.modelMaxLength();
        int requested = state.request().getMaxlength();
        int maxLength = (int) Math.min(requested > 0 ? requested : Integer.MAX_VALUE, modelMax);
        state.put(BaseModel.class, new BaseModel(base, config));
        state.put(TrainingTask.class, task);
        state.put(TextTokenizer.class, state.own(TextTokenizer.load(base, settings, maxLength)));
    }
}
