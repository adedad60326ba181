package dev.anneal.worker.metrics;

import ai.djl.ndarray.NDArray;
import dev.anneal.api.v1.Task;
import dev.anneal.worker.model.Batch;
import dev.anneal.worker.model.ModelOutput;
import dev.anneal.worker.task.LabelSpace;
import dev.anneal.worker.task.TextClassificationTask;
import dev.anneal.worker.task.TrainingTask;
import dev.anneal.worker.tokenize.TextTokenizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Gathers, batch by batch during evaluation, what the metrics read, in the form the task's head gives:
 * <ul>
 *   <li>text-classification: argmax class ids vs labels; multi-label: logits &gt; 0 (sigmoid &gt; 0.5) vs
 *       labels &gt; 0.5; regression: logits[:, 0] vs labels;</li>
 *   <li>question-answering: the best span by start_logits + end_logits (end &gt;= start, at most
 *       {@value #MAX_ANSWER_TOKENS} tokens, attended positions) decoded without special tokens, or no answer
 *       when the CLS pair scores higher; gold = the labelled span decoded, empty when labelled CLS;</li>
 *   <li>language-modeling: argmax token vs labels at labelled positions; language-generation: the same
 *       shifted by one (logits at t predict labels at t + 1);</li>
 *   <li>token-detection: discriminator_logits &gt; 0 vs discriminator_labels on attended positions (outputs
 *       the token-detection model returns).</li>
 * </ul>
 */
public final class PredictionCollector {
    /** Hugging Face's question-answering post-processing default. */
    public static final int MAX_ANSWER_TOKENS = 30;

    private enum Form { CLASSES, MULTI_LABEL, VALUES, SPANS, MASKED_TOKENS, NEXT_TOKENS, DETECTED_TOKENS }

    private final Form form;
    private final Function<long[], String> decoder;
    private final Long clsTokenId;
    private final List<Long> predictedClasses = new ArrayList<>();
    private final List<Long> actualClasses = new ArrayList<>();
    private final List<boolean[]> predictedLabels = new ArrayList<>();
    private final List<boolean[]> actualLabels = new ArrayList<>();
    private final List<Double> predictedValues = new ArrayList<>();
    private final List<Double> actualValues = new ArrayList<>();
    private final List<String> predictedSpans = new ArrayList<>();
    private final List<List<String>> goldSpans = new ArrayList<>();
    private final List<Long> predictedTokens = new ArrayList<>();
    private final List<Long> actualTokens = new ArrayList<>();

    private PredictionCollector(Form form, Function<long[], String> decoder, Long clsTokenId) {
        this.form = form;
        this.decoder = decoder;
        this.clsTokenId = clsTokenId;
    }

    /** For a prepared task (text-classification needs its label space). */
    public static PredictionCollector forTask(TrainingTask task, TextTokenizer tokenizer) {
        return forTask(task, ids -> tokenizer.decode(ids, true), tokenizer.tokenId(tokenizer.settings().clsToken()));
    }

    static PredictionCollector forTask(TrainingTask task, Function<long[], String> decoder, Long clsTokenId) {
        Task kind = task.kind();
        Form form = switch (kind) {
            case QUESTION_ANSWERING -> Form.SPANS;
            case LANGUAGE_MODELING -> Form.MASKED_TOKENS;
            case LANGUAGE_GENERATION -> Form.NEXT_TOKENS;
            case TOKEN_DETECTION -> Form.DETECTED_TOKENS;
            default -> {
                String problem = task instanceof TextClassificationTask classification
                        ? classification.labels().problemType() : LabelSpace.SINGLE_LABEL;
                yield switch (problem) {
                    case LabelSpace.MULTI_LABEL -> Form.MULTI_LABEL;
                    case LabelSpace.REGRESSION -> Form.VALUES;
                    default -> Form.CLASSES;
                };
            }
        };
        return new PredictionCollector(form, decoder, clsTokenId);
    }

    /** Adds one evaluated batch. */
    public void add(Batch inputs, ModelOutput output) {
        switch (form) {
            case CLASSES -> {
                addAll(predictedClasses, output.logits().argMax(-1).toLongArray());
                addAll(actualClasses, inputs.get("labels").toLongArray());
            }
            case MULTI_LABEL -> {
                float[] logits = output.logits().toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                float[] labels = inputs.get("labels").toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray();
                int width = (int) output.logits().getShape().get(1);
                for (int row = 0; row < logits.length / width; row++) {
                    boolean[] predicted = new boolean[width];
                    boolean[] actual = new boolean[width];
                    for (int c = 0; c < width; c++) {
                        predicted[c] = logits[row * width + c] > 0;
                        actual[c] = labels[row * width + c] > 0.5f;
                    }
                    predictedLabels.add(predicted);
                    actualLabels.add(actual);
                }
            }
            case VALUES -> {
                NDArray logits = output.logits();
                float[] predicted = logits.reshape(logits.getShape().get(0), -1).get(":, 0")
                        .toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
                float[] actual = inputs.get("labels").toType(ai.djl.ndarray.types.DataType.FLOAT32, false)
                        .toFloatArray();
                for (int i = 0; i < predicted.length; i++) {
                    predictedValues.add((double) predicted[i]);
                    actualValues.add((double) actual[i]);
                }
            }
            case SPANS -> addSpans(inputs, output);
            case MASKED_TOKENS, NEXT_TOKENS -> addTokens(inputs, output, form == Form.NEXT_TOKENS);
            case DETECTED_TOKENS -> {
                float[] logits = output.get("discriminator_logits").toType(ai.djl.ndarray.types.DataType.FLOAT32,
                        false).toFloatArray();
                long[] labels = output.get("discriminator_labels").toType(ai.djl.ndarray.types.DataType.INT64, false)
                        .toLongArray();
                long[] mask = inputs.get("attention_mask").toLongArray();
                for (int i = 0; i < labels.length; i++) {
                    if (mask[i] != 0) {
                        predictedTokens.add(logits[i] > 0 ? 1L : 0L);
                        actualTokens.add(labels[i]);
                    }
                }
            }
        }
    }

    private void addSpans(Batch inputs, ModelOutput output) {
        long[] ids = inputs.get("input_ids").toLongArray();
        long[] mask = inputs.get("attention_mask").toLongArray();
        float[] starts = output.get("start_logits").toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        float[] ends = output.get("end_logits").toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
        long[] goldStarts = inputs.get("start_positions").toLongArray();
        long[] goldEnds = inputs.get("end_positions").toLongArray();
        int rows = goldStarts.length;
        int length = ids.length / rows;
        for (int row = 0; row < rows; row++) {
            int offset = row * length;
            long[] rowIds = Arrays.copyOfRange(ids, offset, offset + length);
            int cls = clsTokenId == null ? -1 : indexOf(rowIds, clsTokenId);
            double best = Double.NEGATIVE_INFINITY;
            int bestStart = -1;
            int bestEnd = -1;
            for (int s = 0; s < length; s++) {
                if (mask[offset + s] == 0 || s == cls) {
                    continue;
                }
                for (int e = s; e < Math.min(length, s + MAX_ANSWER_TOKENS); e++) {
                    if (mask[offset + e] == 0 || e == cls) {
                        continue;
                    }
                    double score = starts[offset + s] + ends[offset + e];
                    if (score > best) {
                        best = score;
                        bestStart = s;
                        bestEnd = e;
                    }
                }
            }
            boolean noAnswer = bestStart < 0 || (cls >= 0 && starts[offset + cls] + ends[offset + cls] > best);
            predictedSpans.add(noAnswer ? "" : span(rowIds, bestStart, bestEnd));
            int goldStart = (int) goldStarts[row];
            int goldEnd = (int) goldEnds[row];
            boolean unanswerable = goldStart == cls && goldEnd == cls || goldEnd < goldStart;
            goldSpans.add(unanswerable ? List.of() : List.of(span(rowIds, goldStart, goldEnd)));
        }
    }

    private String span(long[] ids, int start, int end) {
        return decoder.apply(Arrays.copyOfRange(ids, start, end + 1)).strip();
    }

    private void addTokens(Batch inputs, ModelOutput output, boolean shifted) {
        long[] predicted = output.logits().argMax(-1).toLongArray();
        long[] labels = inputs.get("labels").toLongArray();
        int rows = (int) inputs.get("labels").getShape().get(0);
        int length = labels.length / rows;
        for (int row = 0; row < rows; row++) {
            for (int t = 0; t < length - (shifted ? 1 : 0); t++) {
                long label = labels[row * length + t + (shifted ? 1 : 0)];
                if (label != -100) {
                    predictedTokens.add(predicted[row * length + t]);
                    actualTokens.add(label);
                }
            }
        }
    }

    /** What was gathered, with the mean validation loss (null when the model gave none). */
    public EvalPredictions predictions(Double loss) {
        EvalPredictions.Builder builder = EvalPredictions.builder();
        switch (form) {
            case CLASSES -> builder.classes(longs(predictedClasses), longs(actualClasses));
            case MULTI_LABEL -> builder.multiLabel(predictedLabels.toArray(new boolean[0][]),
                    actualLabels.toArray(new boolean[0][]));
            case VALUES -> builder.values(doubles(predictedValues), doubles(actualValues));
            case SPANS -> builder.spans(predictedSpans, goldSpans);
            default -> builder.tokens(longs(predictedTokens), longs(actualTokens));
        }
        if (loss != null) {
            builder.loss(loss);
        }
        return builder.build();
    }

    private static int indexOf(long[] ids, long id) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] == id) {
                return i;
            }
        }
        return -1;
    }

    private static void addAll(List<Long> target, long[] values) {
        for (long value : values) {
            target.add(value);
        }
    }

    private static long[] longs(List<Long> values) {
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static double[] doubles(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
