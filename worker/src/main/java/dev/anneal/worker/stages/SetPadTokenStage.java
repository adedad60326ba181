package dev.anneal.worker.stages;

import dev.anneal.api.v1.Stage;
import dev.anneal.worker.run.PipelineStep;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.run.RunState;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.tokenize.TokenizerSettings;

/** Stage 5: a tokenizer without a pad token pads with its eos token, as HFTrainer sets it. */
public final class SetPadTokenStage implements PipelineStep {
    @Override
    public Stage stage() {
        return Stage.SET_PAD_TOKEN;
    }

    @Override
    public void run(RunState state) {
        TextTokenizer tokenizer = state.get(TextTokenizer.class);
        if (tokenizer.padTokenId() != null) {
            return;
        }
        TokenizerSettings settings = tokenizer.settings();
        if (settings.eosToken() == null || tokenizer.tokenId(settings.eosToken()) == null) {
            throw RunFailure.invalidArgument("base", "the tokenizer has neither a pad token nor an eos token to pad with");
        }
        TextTokenizer padded = TextTokenizer.load(tokenizer.directory(), settings.withPadToken(settings.eosToken()),
                tokenizer.maxLength());
        state.put(TextTokenizer.class, state.own(padded));
    }
}
