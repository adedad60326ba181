package dev.anneal.worker.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.worker.data.RowSource;
import dev.anneal.worker.run.Cancellation;
import dev.anneal.worker.run.RunFailure;
import dev.anneal.worker.task.Feature;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** tokenizebatch shapes the work (whole batches per worker, bounded rows in memory), never the features. */
class ParallelTokenizationTest {
    private static final int ROWS = 103;

    /** Row i gives i % 3 features (none, one or two), so features and rows do not line up one to one. */
    private static List<Feature> features(Map<String, Object> row, long index) {
        long value = (Long) row.get("value");
        List<Feature> features = new ArrayList<>();
        for (int k = 0; k < index % 3; k++) {
            features.add(new Feature(Map.of("input_ids", new long[] {index, value, k}), Map.of()));
        }
        return features;
    }

    @Test
    void featuresAreTheSameWhateverTheBatchSizeAndWorkerCount() {
        List<Feature> reference = ParallelTokenization.run(rows(ROWS, new AtomicInteger()), 1,
                ParallelTokenization.DEFAULT_BATCH_SIZE, new Cancellation(), ParallelTokenizationTest::features);
        assertEquals(ROWS / 3 * 3, reference.size(), "features of rows 0..102 with i % 3 features each");
        for (int workers : new int[] {1, 2, 4}) {
            for (int batchSize : new int[] {1, 7, 50, 103, 1000}) {
                List<Feature> features = ParallelTokenization.run(rows(ROWS, new AtomicInteger()), workers, batchSize,
                        new Cancellation(), ParallelTokenizationTest::features);
                assertEquals(reference.size(), features.size(), workers + " workers, batch " + batchSize);
                for (int i = 0; i < reference.size(); i++) {
                    assertArrayEquals(reference.get(i).ids(), features.get(i).ids(),
                            "feature " + i + " with " + workers + " workers, batch " + batchSize);
                }
            }
        }
    }

    @Test
    void eachWorkerTokenizesWholeBatchesOfAFullRound() {
        int batchSize = 7;
        int workers = 3;
        Map<Long, Thread> threadOfRow = new ConcurrentHashMap<>();
        ParallelTokenization.run(rows(ROWS, new AtomicInteger()), workers, batchSize, new Cancellation(),
                (row, index) -> {
                    threadOfRow.put(index, Thread.currentThread());
                    return List.of();
                });
        assertEquals(ROWS, threadOfRow.size());
        long fullRounds = ROWS / (workers * batchSize);
        for (long first = 0; first < fullRounds * workers * batchSize; first += batchSize) {
            for (long i = first; i < first + batchSize; i++) {
                assertSame(threadOfRow.get(first), threadOfRow.get(i), "row " + i + " was tokenized apart from its "
                        + "batch at " + first);
            }
        }
    }

    @Test
    void theLastShortRoundIsSharedEvenly() {
        assertEquals(7, ParallelTokenization.sliceSize(21, 3), "a full round: one batch of 7 per worker");
        assertEquals(5, ParallelTokenization.sliceSize(19, 4), "19 rows left: 5, 5, 5 and 4");
        assertEquals(1, ParallelTokenization.sliceSize(2, 4), "fewer rows than workers: one each");
    }

    @Test
    void readsAtMostOneBatchPerWorkerAheadOfTheTokenizer() {
        AtomicInteger read = new AtomicInteger();
        int workers = 2;
        int batchSize = 10;
        AtomicInteger mostAhead = new AtomicInteger();
        ParallelTokenization.run(rows(ROWS, read), workers, batchSize, new Cancellation(), (row, index) -> {
            mostAhead.accumulateAndGet((int) (read.get() - index), Math::max);
            return List.of();
        });
        assertEquals(ROWS, read.get());
        assertTrue(mostAhead.get() <= workers * batchSize, "rows read ahead of the row being tokenized: "
                + mostAhead.get());
    }

    @Test
    void batchSizeDefaultsToTxtaisAndRefusesNegatives() {
        assertEquals(1000, ParallelTokenization.batchSize(0));
        assertEquals(64, ParallelTokenization.batchSize(64));
        RunFailure failure = assertThrows(RunFailure.class, () -> ParallelTokenization.batchSize(-5));
        assertEquals(Status.Code.INVALID_ARGUMENT, failure.code());
        assertEquals("tokenizebatch: must be >= 0 (0 means 1000), got -5", failure.getMessage());
    }

    /** Rows {"value": 1000 + i}, counting how many have been read. */
    private static RowSource rows(int count, AtomicInteger read) {
        return new RowSource() {
            @Override
            public String name() {
                return "train.rows";
            }

            @Override
            public RowCursor open() {
                Iterator<Integer> next = java.util.stream.IntStream.range(0, count).iterator();
                return new RowCursor() {
                    @Override
                    public boolean hasNext() {
                        return next.hasNext();
                    }

                    @Override
                    public Map<String, Object> next() {
                        read.incrementAndGet();
                        return Map.of("value", 1000L + next.next());
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        };
    }
}
