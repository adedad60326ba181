package dev.anneal.gateway.dataset;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The uploads in progress, and the timer that ends those whose client has sent nothing for longer than the
 * idle timeout: a client that stalls without closing its stream would otherwise hold a half-written file on
 * the data volume until the connection dies.
 */
final class IdleUploads implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(IdleUploads.class);
    /** One daemon thread for every store in the JVM; each store's check is one periodic task on it. */
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "anneal-idle-uploads");
        thread.setDaemon(true);
        return thread;
    });

    private final Duration timeout;
    private final Clock clock;
    private final Set<UploadReceiver> open = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> check;

    IdleUploads(Duration timeout, Clock clock) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("anneal.datasets.idle-timeout: must be positive, got " + timeout);
        }
        this.timeout = timeout;
        this.clock = clock;
    }

    /** Checks every quarter of the timeout (at most every 30 s), so an idle upload ends at most 25 % late. */
    IdleUploads startChecking() {
        long period = Math.max(1, Math.min(timeout.toMillis() / 4, 30_000));
        check = TIMER.scheduleAtFixedRate(this::expire, period, period, TimeUnit.MILLISECONDS);
        return this;
    }

    Duration timeout() {
        return timeout;
    }

    /** The clock uploads are timed with (activity and creation times). */
    Clock clock() {
        return clock;
    }

    void opened(UploadReceiver receiver) {
        open.add(receiver);
    }

    void closed(UploadReceiver receiver) {
        open.remove(receiver);
    }

    int openUploads() {
        return open.size();
    }

    /** Ends every upload idle for longer than the timeout. */
    void expire() {
        Instant cutoff = clock.instant().minus(timeout);
        for (UploadReceiver receiver : open) {
            try {
                receiver.expireIfIdleSince(cutoff);
            } catch (RuntimeException e) {
                // A periodic task that throws is never run again: keep checking the other uploads.
                LOG.warn("cannot end an idle upload", e);
            }
        }
    }

    @Override
    public void close() {
        if (check != null) {
            check.cancel(false);
        }
    }
}
