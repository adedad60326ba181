package dev.anneal.worker.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.model.HfReference;
import dev.anneal.worker.model.TransformerModel;
import dev.anneal.worker.model.seq2seq.Seq2SeqFixtures;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated T5ForConditionalGeneration against the outputs genuine transformers computed for it. */
class T5GeneratedFixturesTest {
    static Path dir() {
        return HfReference.generatedDir().resolve("t5/T5ForConditionalGeneration");
    }

    @Test
    void reproducesTransformersOutputsLossGreedyIdsAndParameters() throws IOException {
        HfReference reference = HfReference.read(dir());
        try (TransformerModel model = Seq2SeqFixtures.load(dir(), HeadType.SEQ2SEQ_LM)) {
            assertEquals("T5ForConditionalGeneration", model.architecture());
            reference.assertParameterStatistics(model);
            Seq2SeqFixtures.assertCases(reference, model);
        }
    }

    @Test
    void savesOnlySharedWeightAndReloadsToTheSameOutputs(@TempDir Path out) throws IOException {
        Seq2SeqFixtures.assertRoundTrip(HfReference.read(dir()), dir(), HeadType.SEQ2SEQ_LM, out);
    }
}
