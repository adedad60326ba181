package dev.anneal.gateway.e2e.txtai;

import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Dataset;
import dev.anneal.api.v1.Rows;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/** The data sets of txtai's trainer tests (testtrainer.py), as inline rows and as the files a client points at. */
final class TxtaiData {
    /** txtai's {@code self.data} before the "* 100": Dogs/dog are 0, Cats/cat are 1. */
    static final String[] ANIMALS = {"Dogs", "dog", "Cats", "cat"};
    static final int[] ANIMAL_LABELS = {0, 0, 1, 1};

    /** testQA's 14 rows: the question is always "What ingredient?"; the last one has no answer. */
    static final String QUESTION = "What ingredient?";
    static final String[][] RECIPES = {
            {"1 can whole tomatoes", "tomatoes"}, {"Crush 1 tomato", "tomato"}, {"1 yellow onion", "onion"},
            {"Unwrap 2 red onions", "onions"}, {"1 red pepper", "pepper"}, {"Clean 3 red peppers", "peppers"},
            {"1 clove garlic", "garlic"}, {"Unwrap 3 cloves of garlic", "garlic"}, {"3 pieces of ginger", "ginger"},
            {"Peel 1 orange", "orange"}, {"1/2 lb beef", "beef"}, {"Roast 3 lbs of beef", "beef"},
            {"1 pack of chicken", "chicken"}, {"Forest through the trees", null}};

    /** testSeqSeq's three rows and prefix. */
    static final String[][] RUN_TO_SLEEP = {{"Running again", "Sleeping again"}, {"Run", "Sleep"},
            {"running", "sleeping"}};
    static final String SEQ2SEQ_PREFIX = "translate Run to Sleep: ";

    private TxtaiData() {
    }

    static Dataset inline(Rows rows) {
        return Dataset.newBuilder().setRows(rows).build();
    }

    static Dataset file(Path path) {
        return Dataset.newBuilder().setUri(path.toUri().toString()).build();
    }

    /** {@code self.data}: the four animal rows repeated {@code times} times (txtai uses 100). */
    static Rows animals(int times) {
        return animalRows(times, label -> Value.newBuilder().setNumberValue(label).build());
    }

    /** testRegression's rows: label + 0.1, so every label is non-integral and the task becomes regression. */
    static Rows animalScores(int times) {
        return animalRows(times, label -> Value.newBuilder().setNumberValue(label + 0.1).build());
    }

    /** testMultiLabel's rows: the label as a one-hot vector, [1.0, 0.0] for dogs and [0.0, 1.0] for cats. */
    static Rows animalVectors(int times) {
        return animalRows(times, label -> Value.newBuilder().setListValue(ListValue.newBuilder()
                .addValues(Value.newBuilder().setNumberValue(label == 0 ? 1.0 : 0.0))
                .addValues(Value.newBuilder().setNumberValue(label == 1 ? 1.0 : 0.0))).build());
    }

    private static Rows animalRows(int times, IntFunction<Value> label) {
        Rows.Builder rows = Rows.newBuilder();
        for (int r = 0; r < times; r++) {
            for (int i = 0; i < ANIMALS.length; i++) {
                rows.addRows(Struct.newBuilder()
                        .putFields("text", string(ANIMALS[i]))
                        .putFields("label", label.apply(ANIMAL_LABELS[i])));
            }
        }
        return rows.build();
    }

    /** testQA's rows with string answers (and a null answer for the last one), as txtai passes them. */
    static Rows recipes() {
        Rows.Builder rows = Rows.newBuilder();
        for (String[] recipe : RECIPES) {
            rows.addRows(Struct.newBuilder()
                    .putFields("question", string(QUESTION))
                    .putFields("context", string(recipe[0]))
                    .putFields("answers", recipe[1] == null
                            ? Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build() : string(recipe[1])));
        }
        return rows.build();
    }

    /** testSeqSeq's rows, repeated {@code times} times. */
    static Rows runToSleep(int times) {
        Rows.Builder rows = Rows.newBuilder();
        for (int r = 0; r < times; r++) {
            for (String[] pair : RUN_TO_SLEEP) {
                rows.addRows(Struct.newBuilder().putFields("source", string(pair[0])).putFields("target",
                        string(pair[1])));
            }
        }
        return rows.build();
    }

    /** The animal rows as JSON lines, one object a line. */
    static Path animalsJsonLines(Path dir, int times) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int r = 0; r < times; r++) {
            for (int i = 0; i < ANIMALS.length; i++) {
                lines.add("{\"text\": \"" + ANIMALS[i] + "\", \"label\": " + ANIMAL_LABELS[i] + "}");
            }
        }
        return Files.write(dir.resolve("animals.jsonl"), lines);
    }

    /** The animal rows as CSV with a header, as a data frame would write them. */
    static Path animalsCsv(Path dir, int times) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("text,label");
        for (int r = 0; r < times; r++) {
            for (int i = 0; i < ANIMALS.length; i++) {
                lines.add(ANIMALS[i] + "," + ANIMAL_LABELS[i]);
            }
        }
        return Files.write(dir.resolve("animals.csv"), lines);
    }

    private static Value string(String text) {
        return Value.newBuilder().setStringValue(text).build();
    }
}
