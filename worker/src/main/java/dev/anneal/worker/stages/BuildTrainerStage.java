package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.PaddingCollator;
import dev.anneal.worker.train.ProgressListener;
import dev.anneal.worker.train.TrainingArgs;
import dev.anneal.worker.train.TrainingLoop;
import dev.anneal.worker.train.TrainingPlan;

/** Stage 10: collator, optimizer, schedule and the loop with its progress listener. */
public final class BuildTrainerStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.BUILD_TRAINER;
    }

    @Override
    public void run(RunState state) {
        TrainingArgs args = state.get(TrainingArgs.class);
        TextTokenizer tokenizer = state.get(TextTokenizer.class);
        TokenizedData data = state.get(TokenizedData.class);
        PaddingCollator collator = new PaddingCollator(tokenizer.padTokenId(), tokenizer.settings().paddingSide());
        TrainingPlan plan = TrainingPlan.of(data.train().size(), args);
        ProgressListener progress = new ProgressListener(state::emit, args.loggingInterval(plan.totalSteps()),
                plan.totalSteps());
        TrainingLoop loop = new TrainingLoop(state.get(TransformerModel.class), data.train(), collator, args,
                state.cancellation(), progress);
        state.put(PaddingCollator.class, collator);
        state.put(ProgressListener.class, progress);
        state.put(TrainingLoop.class, state.own(loop));
    }
}
