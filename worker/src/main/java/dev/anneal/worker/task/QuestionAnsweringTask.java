package dev.anneal.worker.task;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
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
 * question-answering, as txtai's {@code Questions}: columns (question, context, answers); the question is
 * left-stripped; the context is cut into windows of maxlength tokens that overlap by {@code stride} tokens
 * (only the context is truncated; on a left-padding tokenizer the context comes first); each window is one
 * feature labelled with start_positions / end_positions by {@link QuestionWindows} (txtai's overshoot fixed).
 */
public final class QuestionAnsweringTask implements TrainingTask {
    private final int stride;

    public QuestionAnsweringTask(int stride) {
        if (stride < 0) {
            throw RunFailure.invalidArgument("stride", "must be >= 0, got " + stride);
        }
        this.stride = stride;
    }

    @Override
    public Task kind() {
        return Task.QUESTION_ANSWERING;
    }

    @Override
    public HeadType head() {
        return HeadType.QUESTION_ANSWERING;
    }

    /** txtai: none -> (question, context, answers); otherwise exactly three names. */
    @Override
    public Columns columns(List<String> requested) {
        if (requested.isEmpty()) {
            return new Columns("question", "context", "answers");
        }
        if (requested.size() != 3) {
            throw RunFailure.invalidArgument("columns", "question-answering takes 3 columns (question, context, "
                    + "answers), got " + requested.size());
        }
        return new Columns(requested.get(0), requested.get(1), requested.get(2));
    }

    /** Question and context are text; the answers key must be there, but its value may be null (no answer). */
    @Override
    public void checkRow(Columns columns, Map<String, Object> row, long index, String source) {
        Rows.text(row, columns.text(), index, source);
        String context = Rows.text(row, columns.pair(), index, source);
        if (!row.containsKey(columns.target())) {
            throw RunFailure.invalidArgument(Rows.where(source, index), "missing column '" + columns.target()
                    + "' (row has " + row.keySet() + "); use null or \"\" for a question without an answer");
        }
        Answer.of(row.get(columns.target()), context, Rows.where(source, index));
    }

    @Override
    public void prepare(Columns columns, RowSource train) {
        // Windows and labels depend on each row alone.
    }

    @Override
    public List<Feature> features(Columns columns, Map<String, Object> row, long index, String source,
            TextTokenizer tokenizer) {
        checkRow(columns, row, index, source);
        String where = Rows.where(source, index);
        String question = Rows.text(row, columns.text(), index, source).stripLeading();
        String context = Rows.text(row, columns.pair(), index, source);
        Answer answer = Answer.of(row.get(columns.target()), context, where);
        Long cls = tokenizer.tokenId(tokenizer.settings().clsToken());
        if (cls == null) {
            throw RunFailure.invalidArgument("base", "question-answering labels unanswerable windows with the "
                    + "tokenizer's CLS token, and this tokenizer has none (txtai fails the same way)");
        }
        boolean padRight = !"left".equals(tokenizer.settings().paddingSide());
        requireRoomForStride(tokenizer, question, context, padRight, where);
        List<Encoding> windows;
        try {
            windows = padRight
                    ? tokenizer.encodeWindows(question, context, true, stride)
                    : tokenizer.encodeWindows(context, question, false, stride);
        } catch (RuntimeException e) {
            throw RunFailure.invalidArgument("stride", "cannot cut " + where + " into windows of "
                    + tokenizer.maxLength() + " tokens with stride " + stride + ": " + e.getMessage());
        }
        boolean typeIds = TokenizerOutputs.returnsTokenTypeIds(tokenizer);
        List<Feature> features = new ArrayList<>(windows.size());
        for (Encoding window : windows) {
            long[] ids = window.getIds();
            int clsIndex = indexOf(ids, cls);
            if (clsIndex < 0) {
                throw RunFailure.invalidArgument("base", "the tokenizer does not put its CLS token into " + where);
            }
            int[] positions = QuestionWindows.label(window.getSequenceIds(), offsets(window), padRight ? 1 : 0,
                    clsIndex, answer);
            Map<String, long[]> longs = new LinkedHashMap<>();
            longs.put("input_ids", ids);
            if (typeIds) {
                longs.put("token_type_ids", window.getTypeIds());
            }
            longs.put("attention_mask", window.getAttentionMask());
            longs.put("start_positions", new long[] {positions[0]});
            longs.put("end_positions", new long[] {positions[1]});
            features.add(new Feature(longs, Map.of()));
        }
        return features;
    }

    /**
     * The Rust tokenizer aborts the whole process (a panic across JNI) when a window has no more context tokens
     * than {@code stride}; Python raises there. Checked first: the context tokens that fit next to the question
     * must outnumber the stride whenever the pair has to be cut.
     */
    private void requireRoomForStride(TextTokenizer tokenizer, String question, String context, boolean padRight,
            String where) {
        Encoding whole = padRight ? tokenizer.encodeUntruncated(question, context)
                : tokenizer.encodeUntruncated(context, question);
        int total = whole.getIds().length;
        if (total <= tokenizer.maxLength()) {
            return;
        }
        long contextSequence = padRight ? 1 : 0;
        int contextTokens = 0;
        for (long sequence : whole.getSequenceIds()) {
            if (sequence == contextSequence) {
                contextTokens++;
            }
        }
        int room = tokenizer.maxLength() - (total - contextTokens);
        if (room <= stride) {
            throw RunFailure.invalidArgument("stride", where + ": the question and special tokens leave " + room
                    + " of maxlength " + tokenizer.maxLength() + " tokens for the context, which must be more than "
                    + "stride " + stride + "; lower stride or raise maxlength");
        }
    }

    /** Character offsets per token, (0, 0) for special tokens as Hugging Face's offset_mapping has them. */
    static int[][] offsets(Encoding encoding) {
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[][] offsets = new int[spans.length][2];
        for (int i = 0; i < spans.length; i++) {
            if (spans[i] != null && encoding.getSequenceIds()[i] >= 0) {
                offsets[i][0] = spans[i].getStart();
                offsets[i][1] = spans[i].getEnd();
            }
        }
        return offsets;
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void configure(HfConfig config) {
        // The QA head has two outputs (start, end); nothing in the config changes.
    }
}
