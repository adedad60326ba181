package dev.anneal.worker.hf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.model.HfReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** generation_config.json derived from config.json equals what transformers saved next to each generative fixture. */
class GenerationConfigsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"t5/T5ForConditionalGeneration", "bart/BartForConditionalGeneration", "gpt2/GPT2LMHeadModel",
            "llama/LlamaForCausalLM"})
    void matchesTransformersGenerationConfig(String model, @TempDir Path out) throws IOException {
        Path dir = HfReference.generatedDir().resolve(model);
        HfConfig derived = GenerationConfigs.fromModelConfig(HfConfig.read(dir));
        GenerationConfigs.write(out, derived);
        String expected = Files.readString(dir.resolve(GenerationConfigs.FILE_NAME));
        String written = Files.readString(out.resolve(GenerationConfigs.FILE_NAME));
        assertEquals(JSON.readTree(expected), JSON.readTree(written));
        assertEquals(expected.strip(), written.strip(), "same text (sorted keys, two-space indent)");
    }
}
