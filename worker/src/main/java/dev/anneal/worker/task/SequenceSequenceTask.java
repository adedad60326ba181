package dev.anneal.worker.task;

import ai.djl.huggingface.tokenizers.Encoding;
import dev.anneal.api.v1.Task;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.Seq2SeqCollator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * sequence-sequence, as txtai's {@code Sequences}: columns (source, target); the source is
 * {@code prefix + source} (plain concatenation); source and target are each truncated at maxlength; labels
 * are the target's input ids with the tokenizer's special tokens. Nothing is padded here:
 * {@link Seq2SeqCollator} pads labels with -100 and builds decoder_input_ids.
 */
public final class SequenceSequenceTask implements TrainingTask {
    private final String prefix;

    public SequenceSequenceTask(String prefix) {
        this.prefix = prefix == null ? "" : prefix;
    }

    @Override
    public Task kind() {
        return Task.SEQUENCE_SEQUENCE;
    }

    @Override
    public HeadType head() {
        return HeadType.SEQ2SEQ_LM;
    }

    /** txtai: none -> (source, target); otherwise exactly two names. */
    @Override
    public Columns columns(List<String> requested) {
        if (requested.isEmpty()) {
            return new Columns("source", null, "target");
        }
        if (requested.size() != 2) {
            throw RunFailure.invalidArgument("columns", "sequence-sequence takes 2 columns (source, target), got "
                    + requested.size());
        }
        return new Columns(requested.get(0), null, requested.get(1));
    }

    @Override
    public void checkRow(Columns columns, Map<String, Object> row, long index, String source) {
        Rows.text(row, columns.text(), index, source);
        Rows.text(row, columns.target(), index, source);
    }

    @Override
    public void prepare(Columns columns, RowSource train) {
        // Each row is tokenized on its own.
    }

    @Override
    public List<Feature> features(Columns columns, Map<String, Object> row, long index, String source,
            TextTokenizer tokenizer) {
        String text = Rows.text(row, columns.text(), index, source);
        String target = Rows.text(row, columns.target(), index, source);
        Encoding inputs = tokenizer.encode(prefix.isEmpty() ? text : prefix + text);
        Encoding labels = tokenizer.encode(target);
        Map<String, long[]> longs = new LinkedHashMap<>();
        longs.put("input_ids", inputs.getIds());
        if (TokenizerOutputs.returnsTokenTypeIds(tokenizer)) {
            longs.put("token_type_ids", inputs.getTypeIds());
        }
        longs.put("attention_mask", inputs.getAttentionMask());
        longs.put("labels", labels.getIds());
        return List.of(new Feature(longs, Map.of()));
    }

    @Override
    public void configure(HfConfig config) {
        // The language-model head keeps the base config.
    }

    @Override
    public Collator collator(CollatorSettings settings) {
        return new Seq2SeqCollator(settings);
    }
}
