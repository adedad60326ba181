package dev.anneal.worker.task;

import ai.djl.huggingface.tokenizers.Encoding;
import dev.anneal.api.v1.Task;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * text-classification, as txtai's {@code Labels}: columns (text, pair, label), sentence pairs when three
 * columns are given, label counting by {@link LabelSpace}.
 */
public final class TextClassificationTask implements TrainingTask {
    private LabelSpace labels;

    @Override
    public Task kind() {
        return Task.TEXT_CLASSIFICATION;
    }

    @Override
    public HeadType head() {
        return HeadType.SEQUENCE_CLASSIFICATION;
    }

    /** txtai: none -> (text, None, label); one or two names -> (first, None, last); three -> a sentence pair. */
    @Override
    public Columns columns(List<String> requested) {
        return switch (requested.size()) {
            case 0 -> new Columns("text", null, "label");
            case 1, 2 -> new Columns(requested.get(0), null, requested.get(requested.size() - 1));
            case 3 -> new Columns(requested.get(0), requested.get(1), requested.get(2));
            default -> throw RunFailure.invalidArgument("columns", "text-classification takes at most 3 columns "
                    + "(text, text pair, label), got " + requested.size());
        };
    }

    @Override
    public void checkRow(Columns columns, Map<String, Object> row, long index, String source) {
        for (String column : columns.required()) {
            if (row.get(column) == null) {
                throw RunFailure.invalidArgument(source + "[" + index + "]", "missing column '" + column
                        + "' (row has " + row.keySet() + ")");
            }
        }
        requireText(columns.text(), row, index, source);
        if (columns.pair() != null) {
            requireText(columns.pair(), row, index, source);
        }
    }

    private static void requireText(String column, Map<String, Object> row, long index, String source) {
        if (!(row.get(column) instanceof String)) {
            throw RunFailure.invalidArgument(source + "[" + index + "]", "column '" + column
                    + "' must be text, got " + row.get(column));
        }
    }

    @Override
    public void prepare(Columns columns, RowSource train) {
        List<Object> values = new ArrayList<>();
        long index = 0;
        try (RowSource.RowCursor rows = train.open()) {
            while (rows.hasNext()) {
                Map<String, Object> row = rows.next();
                checkRow(columns, row, index++, train.name());
                values.add(row.get(columns.target()));
            }
        }
        labels = LabelSpace.count(values, train.name());
    }

    public LabelSpace labels() {
        if (labels == null) {
            throw new IllegalStateException("prepare() has not run");
        }
        return labels;
    }

    @Override
    public List<Feature> features(Columns columns, Map<String, Object> row, long index, String source,
            TextTokenizer tokenizer) {
        checkRow(columns, row, index, source);
        String text = (String) row.get(columns.text());
        Encoding encoding = columns.pair() == null
                ? tokenizer.encode(text)
                : tokenizer.encode(text, (String) row.get(columns.pair()));
        Map<String, long[]> longs = new LinkedHashMap<>();
        Map<String, float[]> floats = new LinkedHashMap<>();
        longs.put("input_ids", encoding.getIds());
        if (TokenizerOutputs.returnsTokenTypeIds(tokenizer)) {
            longs.put("token_type_ids", encoding.getTypeIds());
        }
        longs.put("attention_mask", encoding.getAttentionMask());
        labels().encode(row.get(columns.target()), source + "[" + index + "]", longs, floats);
        return List.of(new Feature(longs, floats));
    }

    @Override
    public void configure(HfConfig config) {
        LabelSpace space = labels();
        Map<String, Integer> label2id = new LinkedHashMap<>();
        Map<String, String> id2label = new LinkedHashMap<>();
        space.id2label().forEach((id, name) -> {
            id2label.put(Integer.toString(id), name);
            label2id.put(name, id);
        });
        config.set("num_labels", space.numLabels());
        config.set("id2label", id2label);
        config.set("label2id", label2id);
        config.set("problem_type", space.problemType());
    }
}
