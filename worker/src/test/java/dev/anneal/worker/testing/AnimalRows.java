package dev.anneal.worker.testing;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.anneal.api.v1.Rows;

/** txtai's basic test data: [{"text":"Dogs","label":0},{"text":"dog","label":0},{"text":"Cats","label":1},{"text":"cat","label":1}] * n. */
public final class AnimalRows {
    private AnimalRows() {
    }

    public static Rows times(int repeat) {
        Rows.Builder rows = Rows.newBuilder();
        String[] texts = {"Dogs", "dog", "Cats", "cat"};
        int[] labels = {0, 0, 1, 1};
        for (int r = 0; r < repeat; r++) {
            for (int i = 0; i < texts.length; i++) {
                rows.addRows(Struct.newBuilder()
                        .putFields("text", Value.newBuilder().setStringValue(texts[i]).build())
                        .putFields("label", Value.newBuilder().setNumberValue(labels[i]).build()));
            }
        }
        return rows.build();
    }
}
