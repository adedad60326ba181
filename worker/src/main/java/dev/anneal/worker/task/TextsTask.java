package dev.anneal.worker.task;

import ai.djl.huggingface.tokenizers.Encoding;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The language tasks' data, as txtai's {@code Texts}: column (text) or (text, text pair); each row is
 * tokenized whole with special tokens and a special_tokens_mask (no truncation, no padding), then the rows
 * are merged by {@link TextMerge}.
 */
abstract class TextsTask implements TrainingTask {
    private final TextMerge merge;

    TextsTask(TextMerge merge) {
        this.merge = merge == null ? TextMerge.CONCAT : merge;
    }

    public TextMerge mergeStrategy() {
        return merge;
    }

    /** txtai: none -> ("text", None); (text) or (text, pair). */
    @Override
    public Columns columns(List<String> requested) {
        return switch (requested.size()) {
            case 0 -> new Columns("text", null, null);
            case 1 -> new Columns(requested.get(0), null, null);
            case 2 -> new Columns(requested.get(0), requested.get(1), null);
            default -> throw RunFailure.invalidArgument("columns", kind() + " takes 1 or 2 text columns, got "
                    + requested.size());
        };
    }

    @Override
    public void checkRow(Columns columns, Map<String, Object> row, long index, String source) {
        Rows.text(row, columns.text(), index, source);
        if (columns.pair() != null) {
            Rows.text(row, columns.pair(), index, source);
        }
    }

    @Override
    public void prepare(Columns columns, RowSource train) {
        // Rows are tokenized on their own and merged afterwards.
    }

    @Override
    public List<Feature> features(Columns columns, Map<String, Object> row, long index, String source,
            TextTokenizer tokenizer) {
        String text = Rows.text(row, columns.text(), index, source);
        String pair = columns.pair() == null ? null : Rows.text(row, columns.pair(), index, source);
        Encoding encoding = tokenizer.encodeUntruncated(text, pair);
        Map<String, long[]> longs = new LinkedHashMap<>();
        longs.put("input_ids", encoding.getIds());
        if (TokenizerOutputs.returnsTokenTypeIds(tokenizer)) {
            longs.put("token_type_ids", encoding.getTypeIds());
        }
        longs.put("attention_mask", encoding.getAttentionMask());
        longs.put("special_tokens_mask", encoding.getSpecialTokenMask());
        return List.of(new Feature(longs, Map.of()));
    }

    @Override
    public List<Feature> merge(List<Feature> rows, int maxLength) {
        return merge.apply(rows, maxLength);
    }

    @Override
    public void configure(HfConfig config) {
        // The language-model heads keep the base config.
    }
}
