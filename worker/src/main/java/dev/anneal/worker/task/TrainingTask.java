package dev.anneal.worker.task;

import dev.anneal.api.v1.Task;
import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.hf.HfConfig;
import dev.anneal.worker.model.HeadType;
import dev.anneal.worker.tokenize.TextTokenizer;
import dev.anneal.worker.train.Collator;
import dev.anneal.worker.train.CollatorSettings;
import dev.anneal.worker.train.PaddingCollator;
import java.util.List;
import java.util.Map;

/**
 * One of the reference's six tasks: which columns it reads, how it turns rows into features, which
 * model head it trains and how it changes the model config (labels, problem type).
 */
public interface TrainingTask {
    Task kind();

    HeadType head();

    /** Normalises the request's columns the way the reference does; INVALID_ARGUMENT when impossible. */
    Columns columns(List<String> requested);

    /** Checks one row before anything is tokenized; INVALID_ARGUMENT naming the source and row number. */
    void checkRow(Columns columns, Map<String, Object> row, long index, String source);

    /** Reads what the task must know about the training data before tokenizing (e.g. the label space). */
    void prepare(Columns columns, RowSource train);

    /** Tokenizes one row into zero or more features (question answering may give several windows). */
    List<Feature> features(Columns columns, Map<String, Object> row, long index, String source, TextTokenizer tokenizer);

    /** Updates the base model's config for this task (num_labels, id2label, problem_type). */
    void configure(HfConfig config);

    /**
     * Combines the features of one group of rows, in row order, into training features: txtai's
     * {@code Texts} merge for the language tasks (concat / pack / none); the other tasks keep them as they are.
     */
    default List<Feature> merge(List<Feature> rows, int maxLength) {
        return rows;
    }

    /** The collator Hugging Face's Trainer uses for this task; DataCollatorWithPadding unless the task says. */
    default Collator collator(CollatorSettings settings) {
        return new PaddingCollator(settings.padTokenId(), settings.paddingSide());
    }
}
