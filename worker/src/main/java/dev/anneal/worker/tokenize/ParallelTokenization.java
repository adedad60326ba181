package dev.anneal.worker.tokenize;

import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.task.Feature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;

/**
 * Tokenizes a row source with N workers in batches of {@code batchSize} rows (txtai's {@code tokenizebatch})
 * and returns the features in row order, exactly as one worker would. Each worker takes whole batches; a
 * round reads one batch per worker, tokenizes them at once and joins the results in order before the next
 * round is read, so memory holds at most {@code workers × batchSize} rows at a time.
 *
 * <p>txtai merges a language task's texts per batch of its tokenization map; Anneal merges the whole data
 * set after this (TrainingTask.merge), so the batch size shapes the work, never the features.
 */
public final class ParallelTokenization {
    /** txtai's default {@code tokenizebatch}. */
    public static final int DEFAULT_BATCH_SIZE = 1000;

    /** Turns one row into its features. */
    @FunctionalInterface
    public interface RowTokenizer {
        List<Feature> features(Map<String, Object> row, long index);
    }

    private ParallelTokenization() {
    }

    /** The request's {@code tokenizers}: 0 means one worker, -1 one per core. */
    public static int workers(int requested) {
        if (requested == -1) {
            return Runtime.getRuntime().availableProcessors();
        }
        return Math.max(1, requested);
    }

    /** The request's {@code tokenizebatch}: 0 means txtai's default of 1000 rows. */
    public static int batchSize(int requested) {
        if (requested < 0) {
            throw RunFailure.invalidArgument("tokenizebatch", "must be >= 0 (0 means " + DEFAULT_BATCH_SIZE
                    + "), got " + requested);
        }
        return requested == 0 ? DEFAULT_BATCH_SIZE : requested;
    }

    public static List<Feature> run(RowSource source, int workers, int batchSize, Cancellation cancellation,
            RowTokenizer tokenizer) {
        if (workers < 1 || batchSize < 1) {
            throw new IllegalArgumentException("workers and batchSize must be positive, got " + workers + " and "
                    + batchSize);
        }
        List<Feature> features = new ArrayList<>();
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, daemonThreads()) : null;
        try (RowSource.RowCursor rows = source.open()) {
            long index = 0;
            List<List<Map<String, Object>>> round = new ArrayList<>(workers);
            while (rows.hasNext()) {
                List<Map<String, Object>> batch = new ArrayList<>(Math.min(batchSize, DEFAULT_BATCH_SIZE));
                while (batch.size() < batchSize && rows.hasNext()) {
                    batch.add(rows.next());
                }
                round.add(batch);
                if (round.size() == workers || !rows.hasNext()) {
                    cancellation.checkpoint();
                    features.addAll(pool == null ? tokenize(round.get(0), index, tokenizer)
                            : tokenize(round, index, tokenizer, pool));
                    for (List<Map<String, Object>> done : round) {
                        index += done.size();
                    }
                    round.clear();
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return features;
    }

    private static List<Feature> tokenize(List<Map<String, Object>> batch, long firstIndex, RowTokenizer tokenizer) {
        List<Feature> features = new ArrayList<>(batch.size());
        for (int i = 0; i < batch.size(); i++) {
            features.addAll(tokenizer.features(batch.get(i), firstIndex + i));
        }
        return features;
    }

    /** One batch per worker, joined in the batches' order. */
    private static List<Feature> tokenize(List<List<Map<String, Object>>> round, long firstIndex,
            RowTokenizer tokenizer, ExecutorService pool) {
        List<Future<List<Feature>>> parts = new ArrayList<>(round.size());
        long first = firstIndex;
        for (List<Map<String, Object>> batch : round) {
            long batchFirst = first;
            parts.add(pool.submit(() -> tokenize(batch, batchFirst, tokenizer)));
            first += batch.size();
        }
        List<Feature> features = new ArrayList<>();
        for (Future<List<Feature>> part : parts) {
            try {
                features.addAll(part.get());
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RunFailure failure) {
                    throw failure;
                }
                throw new IllegalStateException("tokenizer worker failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while tokenizing", e);
            }
        }
        return features;
    }

    private static ThreadFactory daemonThreads() {
        return runnable -> {
            Thread thread = new Thread(runnable, "anneal-tokenizer");
            thread.setDaemon(true);
            return thread;
        };
    }
}
