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

/**
 * Tokenizes a row source with N workers and returns the features in row order, exactly as one worker
 * would: rows are read in chunks, each chunk's rows are split across the workers, results are joined in
 * order before the next chunk is read, so memory holds one chunk of rows at a time.
 */
public final class ParallelTokenization {
    /** Rows read and tokenized together (txtai's tokenizebatch). */
    public static final int CHUNK = 1000;

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

    public static List<Feature> run(RowSource source, int workers, Cancellation cancellation, RowTokenizer tokenizer) {
        List<Feature> features = new ArrayList<>();
        ExecutorService pool = workers > 1 ? Executors.newFixedThreadPool(workers, daemon()) : null;
        try (RowSource.RowCursor rows = source.open()) {
            long index = 0;
            List<Map<String, Object>> chunk = new ArrayList<>(CHUNK);
            while (rows.hasNext()) {
                chunk.add(rows.next());
                if (chunk.size() == CHUNK || !rows.hasNext()) {
                    cancellation.checkpoint();
                    features.addAll(pool == null ? sequential(chunk, index, tokenizer) : parallel(chunk, index, tokenizer, pool, workers));
                    index += chunk.size();
                    chunk.clear();
                }
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return features;
    }

    private static List<Feature> sequential(List<Map<String, Object>> rows, long firstIndex, RowTokenizer tokenizer) {
        List<Feature> features = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            features.addAll(tokenizer.features(rows.get(i), firstIndex + i));
        }
        return features;
    }

    private static List<Feature> parallel(List<Map<String, Object>> rows, long firstIndex, RowTokenizer tokenizer,
            ExecutorService pool, int workers) {
        int slice = (rows.size() + workers - 1) / workers;
        List<Future<List<Feature>>> parts = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += slice) {
            List<Map<String, Object>> part = rows.subList(from, Math.min(rows.size(), from + slice));
            long first = firstIndex + from;
            parts.add(pool.submit(() -> sequential(part, first, tokenizer)));
        }
        List<Feature> features = new ArrayList<>(rows.size());
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

    private static java.util.concurrent.ThreadFactory daemon() {
        return runnable -> {
            Thread thread = new Thread(runnable, "anneal-tokenizer");
            thread.setDaemon(true);
            return thread;
        };
    }
}
