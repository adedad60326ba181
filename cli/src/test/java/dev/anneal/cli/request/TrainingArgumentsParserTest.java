package dev.anneal.cli.request;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.api.v1.TrainingArguments;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingArgumentsParserTest {

    private static String error(String... assignments) {
        return assertThrows(IllegalArgumentException.class,
                () -> TrainingArgumentsParser.parse(List.of(assignments))).getMessage();
    }

    @Test
    void mapsEachHuggingFaceNameOntoItsFieldWithItsType() {
        TrainingArguments args = TrainingArgumentsParser.parse(List.of(
                "num_train_epochs=3", "learning_rate=5e-5", "max_steps=120", "per_device_train_batch_size=16",
                "lr_scheduler_type=cosine", "load_best_model_at_end=True", "seed = 7"));
        assertEquals(3.0, args.getNumTrainEpochs());
        assertEquals(5e-5, args.getLearningRate());
        assertEquals(120L, args.getMaxSteps());
        assertEquals(16, args.getPerDeviceTrainBatchSize());
        assertEquals("cosine", args.getLrSchedulerType());
        assertTrue(args.getLoadBestModelAtEnd());
        assertEquals(7L, args.getSeed());
        assertFalse(args.hasWeightDecay(), "unset arguments stay unset so the gateway applies HF defaults");
    }

    @Test
    void anExplicitZeroOrFalseIsSetNotDefault() {
        TrainingArguments args = TrainingArgumentsParser.parse(List.of("weight_decay=0", "fp16=false"));
        assertTrue(args.hasWeightDecay());
        assertTrue(args.hasFp16());
        assertFalse(args.getFp16());
    }

    @Test
    void anUnknownNameIsAnErrorThatSuggestsTheClosestAndListsTheSupported() {
        String message = error("learning_rat=1e-4");
        assertTrue(message.startsWith("--arg learning_rat=1e-4: unknown training argument 'learning_rat'"
                + " (did you mean 'learning_rate'?). Supported (Hugging Face TrainingArguments names): "
                + "num_train_epochs, max_steps, learning_rate,"), message);
        assertFalse(error("gradient_checkpointing=true").contains("did you mean"));
    }

    @Test
    void aValueOfTheWrongTypeNamesTheArgumentAndTheExpectedType() {
        assertEquals("--arg max_steps=1.5: max_steps takes a whole number, not '1.5'", error("max_steps=1.5"));
        assertEquals("--arg learning_rate=fast: learning_rate takes a number, not 'fast'", error("learning_rate=fast"));
        assertEquals("--arg learning_rate=NaN: learning_rate takes a number, not 'NaN'", error("learning_rate=NaN"));
        assertEquals("--arg fp16=yes: fp16 takes true or false, not 'yes'", error("fp16=yes"));
        assertEquals("--arg per_device_train_batch_size=99999999999: per_device_train_batch_size takes a whole"
                + " number, not '99999999999'", error("per_device_train_batch_size=99999999999"));
        assertEquals("--arg lr_scheduler_type=: lr_scheduler_type needs a value", error("lr_scheduler_type="));
    }

    @Test
    void malformedAndRepeatedAssignmentsAreErrors() {
        assertEquals("--arg num_train_epochs: expected name=value, e.g. --arg learning_rate=5e-5",
                error("num_train_epochs"));
        assertEquals("--arg =3: expected name=value, e.g. --arg learning_rate=5e-5", error("=3"));
        assertEquals("--arg seed is given more than once", error("seed=1", "seed=2"));
    }

    @Test
    void editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        assertEquals(0, TrainingArgumentsParser.editDistance("seed", "seed"));
        assertEquals(1, TrainingArgumentsParser.editDistance("seed", "seeds"));
        assertEquals(1, TrainingArgumentsParser.editDistance("seed", "sead"));
        assertEquals(3, TrainingArgumentsParser.editDistance("", "abc"));
    }
}
