package dev.anneal.worker.run;

import dev.anneal.api.v1.TrainEvent;
import dev.anneal.api.v1.TrainRequest;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What the stages of one run share: the request and environment going in, and what each stage adds
 * for the later ones. Resources a stage opens are registered here and closed, newest first, when the
 * run ends.
 */
public final class RunState implements AutoCloseable {
    private final TrainRequest request;
    private final RunEnvironment environment;
    private final EventSink events;
    private final Cancellation cancellation;
    private final Map<Class<?>, Object> products = new LinkedHashMap<>();
    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private RunResult result;

    RunState(TrainRequest request, RunEnvironment environment, EventSink events, Cancellation cancellation) {
        this.request = request;
        this.environment = environment;
        this.events = events;
        this.cancellation = cancellation;
    }

    public TrainRequest request() {
        return request;
    }

    public RunEnvironment environment() {
        return environment;
    }

    public Cancellation cancellation() {
        return cancellation;
    }

    public void emit(TrainEvent event) {
        events.emit(event);
    }

    /** Stores what a stage produced, one value per type, for later stages. */
    public <T> void put(Class<T> type, T value) {
        products.put(type, Objects.requireNonNull(value, type.getSimpleName()));
    }

    /** What an earlier stage produced; fails if no stage did, which is a bug in the stage order. */
    public <T> T get(Class<T> type) {
        Object value = products.get(type);
        if (value == null) {
            throw new IllegalStateException("no earlier stage produced a " + type.getSimpleName());
        }
        return type.cast(value);
    }

    /** What an earlier stage produced, or null when it produced none (an optional product). */
    public <T> T find(Class<T> type) {
        return type.cast(products.get(type));
    }

    /** Closes {@code resource} when the run ends. */
    public <T extends AutoCloseable> T own(T resource) {
        resources.push(resource);
        return resource;
    }

    public void finish(RunResult finalResult) {
        this.result = finalResult;
    }

    RunResult result() {
        if (result == null) {
            throw new IllegalStateException("the run ended without a result");
        }
        return result;
    }

    @Override
    public void close() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception ignored) {
                // Closing native resources must not hide the run's own outcome.
            }
        }
    }
}
