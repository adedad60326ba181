package dev.anneal.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.Stage;
import dev.anneal.api.v1.TrainEvent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Reading and checking event streams in tests. */
public final class Events {
    /** The fourteen pipeline stages of DESIGN.md, in order. */
    public static final List<Stage> PIPELINE = List.of(Stage.VALIDATE, Stage.PARSE_ARGUMENTS, Stage.SET_SEED,
            Stage.LOAD_CONFIG_AND_TOKENIZER, Stage.SET_PAD_TOKEN, Stage.PREPARE_DATA_PROCESSING, Stage.TOKENIZE,
            Stage.CREATE_MODEL, Stage.APPLY_LORA, Stage.BUILD_TRAINER, Stage.TRAIN, Stage.EVALUATE, Stage.SAVE,
            Stage.FINISH);

    private Events() {
    }

    /** Reads a stream to its end. */
    public static List<TrainEvent> readAll(Iterator<TrainEvent> stream) {
        List<TrainEvent> events = new ArrayList<>();
        stream.forEachRemaining(events::add);
        return events;
    }

    /** Sequences rise by one from {@code first}, and every event names the same job. */
    public static void assertContiguous(List<TrainEvent> events, long first) {
        assertTrue(!events.isEmpty(), "no events");
        String jobId = events.get(0).getJobId();
        for (int i = 0; i < events.size(); i++) {
            TrainEvent event = events.get(i);
            assertEquals(first + i, event.getSequence(), "sequence at position " + i + ": " + event);
            assertEquals(jobId, event.getJobId());
            assertTrue(event.getTime().getSeconds() > 0, "event without a time: " + event);
        }
    }

    /** The stages whose start appears in the events, in order. */
    public static List<Stage> startedStages(List<TrainEvent> events) {
        return events.stream().filter(TrainEvent::hasStageStarted).map(e -> e.getStageStarted().getStage()).toList();
    }

    /** Every started stage finishes before the next one starts. */
    public static void assertStagesNest(List<TrainEvent> events) {
        Stage open = null;
        for (TrainEvent event : events) {
            if (event.hasStageStarted()) {
                assertEquals(null, open, "stage " + event.getStageStarted().getStage() + " started while " + open
                        + " had not finished");
                open = event.getStageStarted().getStage();
            } else if (event.hasStageFinished()) {
                assertEquals(open, event.getStageFinished().getStage());
                open = null;
            }
        }
    }

    public static List<Double> losses(List<TrainEvent> events) {
        return events.stream().filter(TrainEvent::hasProgress).map(e -> e.getProgress().getLoss()).toList();
    }
}
