package dev.anneal.api.client;

import dev.anneal.api.v1.Accepted;
import dev.anneal.api.v1.CheckpointSaved;
import dev.anneal.api.v1.Evaluation;
import dev.anneal.api.v1.Finished;
import dev.anneal.api.v1.Log;
import dev.anneal.api.v1.Progress;
import dev.anneal.api.v1.Retrying;
import dev.anneal.api.v1.StageFinished;
import dev.anneal.api.v1.StageStarted;
import dev.anneal.api.v1.TrainEvent;

/**
 * Receives the events of one followed job, one callback per event kind.
 *
 * <p>For every event {@link #onEvent} is called first, then the callback of its kind. Callbacks of one stream
 * run one at a time, in sequence order, on a gRPC executor thread; a slow listener slows the stream down
 * (gRPC flow control) rather than making anything buffer. All methods default to doing nothing.
 */
public interface TrainListener {

    /** Every event, before the kind-specific callback. */
    default void onEvent(TrainEvent event) {}

    default void onAccepted(String jobId, Accepted accepted) {}

    default void onStageStarted(StageStarted started) {}

    default void onStageFinished(StageFinished finished) {}

    default void onProgress(Progress progress) {}

    default void onEvaluation(Evaluation evaluation) {}

    default void onCheckpointSaved(CheckpointSaved checkpoint) {}

    default void onLog(Log log) {}

    default void onRetrying(Retrying retrying) {}

    /** The job ended; this is the last event of the stream. */
    default void onFinished(Finished finished) {}

    /**
     * The stream broke after the job was accepted and the client re-attaches (attempt 1, 2, ...) with Watch from
     * the last event it received; only called when the client allows re-attach attempts. Not a gateway event.
     */
    default void onReattaching(int attempt, String reason) {}

    /** A listener that ignores everything. */
    static TrainListener none() {
        return new TrainListener() {};
    }
}
