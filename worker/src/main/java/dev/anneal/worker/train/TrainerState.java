package dev.anneal.worker.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face's {@code trainer_state.json}: where training stands and its log history, plus an
 * {@code anneal} section with provenance (arguments, data fingerprint, versions) as Tribuo saves it.
 */
public final class TrainerState {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Map<String, Object> state = new LinkedHashMap<>();
    private final List<Map<String, Object>> logHistory = new ArrayList<>();

    public TrainerState(long globalStep, double epoch, long maxSteps, int numTrainEpochs, int trainBatchSize,
            long loggingSteps, long saveSteps, long evalSteps) {
        state.put("best_global_step", null);
        state.put("best_metric", null);
        state.put("best_model_checkpoint", null);
        state.put("epoch", epoch);
        state.put("eval_steps", evalSteps);
        state.put("global_step", globalStep);
        state.put("is_hyper_param_search", false);
        state.put("is_local_process_zero", true);
        state.put("is_world_process_zero", true);
        state.put("log_history", logHistory);
        state.put("logging_steps", loggingSteps);
        state.put("max_steps", maxSteps);
        state.put("num_input_tokens_seen", 0);
        state.put("num_train_epochs", numTrainEpochs);
        state.put("save_steps", saveSteps);
        state.put("stateful_callbacks", Map.of());
        state.put("total_flos", 0);
        state.put("train_batch_size", trainBatchSize);
        state.put("trial_name", null);
        state.put("trial_params", null);
    }

    public TrainerState log(Map<String, Object> entry) {
        logHistory.add(entry);
        return this;
    }

    public TrainerState best(Double metric, String checkpoint) {
        state.put("best_metric", metric);
        state.put("best_model_checkpoint", checkpoint);
        return this;
    }

    public TrainerState provenance(Map<String, Object> provenance) {
        state.put("anneal", provenance);
        return this;
    }

    public byte[] toJson() {
        try {
            return JSON.writeValueAsBytes(state);
        } catch (IOException e) {
            throw new IllegalStateException("trainer state is not serialisable", e);
        }
    }
}
