package dev.anneal.api.client;

import dev.anneal.api.v1.TrainEvent;

/** Hands one event to the listener callbacks that match its kind. */
final class TrainEvents {

    private TrainEvents() {}

    static void dispatch(TrainEvent event, TrainListener listener) {
        listener.onEvent(event);
        switch (event.getEventCase()) {
            case ACCEPTED -> listener.onAccepted(event.getJobId(), event.getAccepted());
            case STAGE_STARTED -> listener.onStageStarted(event.getStageStarted());
            case STAGE_FINISHED -> listener.onStageFinished(event.getStageFinished());
            case PROGRESS -> listener.onProgress(event.getProgress());
            case EVALUATION -> listener.onEvaluation(event.getEvaluation());
            case CHECKPOINT_SAVED -> listener.onCheckpointSaved(event.getCheckpointSaved());
            case LOG -> listener.onLog(event.getLog());
            case RETRYING -> listener.onRetrying(event.getRetrying());
            case FINISHED -> listener.onFinished(event.getFinished());
            case EVENT_NOT_SET -> {
                // A newer gateway may send kinds this client does not know; onEvent has seen it.
            }
        }
    }
}
