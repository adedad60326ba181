package dev.anneal.worker.run;

import dev.anneal.api.v1.TrainEvent;

/**
 * Receives the events of a run in the order they happen. The run sets only the event's payload; the
 * owner of the job (the gateway, or the worker pod's connection to it) stamps job id, sequence and time.
 */
@FunctionalInterface
public interface EventSink {
    void emit(TrainEvent event);
}
