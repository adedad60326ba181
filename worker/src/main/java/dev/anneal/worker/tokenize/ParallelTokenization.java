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
 * and returns the features in row order, exactly as one worker would. Rows are read in rounds of
 * {@code workers × batchSize}: a full round gives each worker one whole batch; the last, shorter round is
 * shared evenly so every worker helps (as {@code datasets.map} shards a data set across its processes before it
 * batches). The results of a round are joined in order before the next round is read, so memory holds at most
 * one round of rows.
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
        long roundSize = (long) workers * batchSize;
        List<Feature> features = new ArrayList<>();
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, daemonThreads()) : null;
        try (RowSource.RowCursor rows = source.open()) {
            long index = 0;
            List<Map<String, Object>> round = new ArrayList<>((int) Math.min(roundSize, DEFAULT_BATCH_SIZE));
            while (rows.hasNext()) {
                round.add(rows.next());
                if (round.size() >= roundSize || !rows.hasNext()) {
                    cancellation.checkpoint();
                    features.addAll(pool == null ? tokenize(round, index, tokenizer)
                            : tokenize(round, index, tokenizer, pool, workers));
                    index += round.size();
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

    /** Rows per worker in a round of {@code rows}: whole batches in a full round, an even share in the last. */
    static int sliceSize(int rows, int workers) {
        return (rows + workers - 1) / workers;
    }

    private static List<Feature> tokenize(List<Map<String, Object>> rows, long firstIndex, RowTokenizer tokenizer) {
        List<Feature> features = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            features.addAll(tokenizer.features(rows.get(i), firstIndex + i));
        }
        return features;
    }

    /** One contiguous slice of the round per worker, joined in the slices' order. */
    private static List<Feature> tokenize(List<Map<String, Object>> round, long firstIndex, RowTokenizer tokenizer,
            ExecutorService pool, int workers) {
        int slice = sliceSize(round.size(), workers);
        List<Future<List<Feature>>> parts = new ArrayList<>(workers);
        for (int from = 0; from < round.size(); from += slice) {
            List<Map<String, Object>> part = round.subList(from, Math.min(round.size(), from + slice));
            long first = firstIndex + from;
            parts.add(pool.submit(() -> tokenize(part, first, tokenizer)));
        }
        List<Feature> features = new ArrayList<>(round.size());
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
