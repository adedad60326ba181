package dev.anneal.gateway.job;

import dev.anneal.api.v1.TrainEvent;
import java.util.List;

/**
 * Where a job's events are kept beyond the gateway's memory. An event is durable when {@link #append}
 * returns, so the gateway can send it to clients and still serve it after a restart.
 */
public interface EventJournal extends AutoCloseable {

    /** The events that were in the journal when it was opened, in sequence order. */
    List<TrainEvent> recovered();

    void append(TrainEvent event);

    @Override
    void close();

    /** A journal that keeps nothing: events live only as long as the gateway does. */
    static EventJournal none() {
        return new EventJournal() {
            @Override
            public List<TrainEvent> recovered() {
                return List.of();
            }

            @Override
            public void append(TrainEvent event) {
            }

            @Override
            public void close() {
            }
        };
    }
}
