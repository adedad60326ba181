package dev.anneal.api.client;

import dev.anneal.api.v1.TrainEvent;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One followed stream of a job's events (from {@code Train} or {@code Watch}).
 *
 * <p>{@link #await()} blocks until the job ends. {@link #detach()} closes the stream without touching the
 * job: the job keeps running on the gateway and can be re-attached with {@code watch(jobId(), lastSequence())}.
 * When the client allows re-attach attempts, a stream that breaks (UNAVAILABLE, or closed before the job's
 * finished event) after the job was accepted is resumed with {@code Watch(jobId, lastSequence)}, so the listener
 * sees every event exactly once.
 */
public final class JobStream {

    /** Starts a Watch call that feeds {@code observer} with the events after {@code afterSequence}. */
    interface Reattach {
        void watch(String jobId, long afterSequence, ClientResponseObserver<?, TrainEvent> observer);
    }

    private final TrainListener listener;
    private final Reattach reattach;
    private final int maxAttempts;
    private final CompletableFuture<JobOutcome> outcome = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<?> call;
    private volatile String jobId;
    private volatile long lastSequence;
    private volatile boolean detached;
    private int attempts;

    JobStream(TrainListener listener, String jobId, long afterSequence, Reattach reattach, int maxAttempts) {
        this.listener = listener;
        this.jobId = jobId;
        this.lastSequence = afterSequence;
        this.reattach = reattach;
        this.maxAttempts = maxAttempts;
    }

    /** The job id: known from the start for a watch, from the first (accepted) event for a submit. */
    public String jobId() {
        return jobId;
    }

    /** The sequence of the newest event received so far. */
    public long lastSequence() {
        return lastSequence;
    }

    public boolean isDetached() {
        return detached;
    }

    public boolean isDone() {
        return outcome.isDone();
    }

    /**
     * Stops following. The job is not cancelled; {@link #await()} then throws an {@link AnnealException} with
     * code CANCELLED. Does nothing once the stream has ended.
     */
    public void detach() {
        if (outcome.isDone()) {
            return;
        }
        detached = true;
        outcome.completeExceptionally(new AnnealException(Status.Code.CANCELLED,
                "detached from job " + jobId + " after event " + lastSequence, jobId, lastSequence, null));
        ClientCallStreamObserver<?> current = call;
        if (current != null) {
            current.cancel("client detached", null);
        }
    }

    /**
     * Waits until the job ends and returns how it ended.
     *
     * @throws AnnealException when the request was refused, the stream broke or ended early, or the stream was
     *     detached (also when this thread is interrupted, which detaches)
     */
    public JobOutcome await() {
        try {
            return outcome.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            detach();
            throw new AnnealException(Status.Code.CANCELLED, "interrupted while following job " + jobId,
                    jobId, lastSequence, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof AnnealException failure) {
                throw failure;
            }
            throw AnnealException.from(e.getCause(), jobId, lastSequence);
        } catch (CancellationException e) {
            throw new AnnealException(Status.Code.CANCELLED, "stream cancelled", jobId, lastSequence, e);
        }
    }

    <Q> ClientResponseObserver<Q, TrainEvent> observer() {
        return new ClientResponseObserver<>() {
            @Override
            public void beforeStart(ClientCallStreamObserver<Q> requestStream) {
                call = requestStream;
            }

            @Override
            public void onNext(TrainEvent event) {
                if (outcome.isDone() || event.getSequence() <= lastSequence && jobId != null) {
                    // A resumed stream never repeats events; this guards against a gateway that does.
                    return;
                }
                if (jobId == null || jobId.isEmpty()) {
                    jobId = event.getJobId();
                }
                lastSequence = event.getSequence();
                try {
                    TrainEvents.dispatch(event, listener);
                } catch (RuntimeException e) {
                    // A failing listener ends the stream, not the job.
                    outcome.completeExceptionally(new AnnealException(Status.Code.CANCELLED,
                            "listener failed on event " + event.getSequence() + ": " + e.getMessage(),
                            jobId, lastSequence, e));
                    call.cancel("listener failed", e);
                    return;
                }
                if (event.hasFinished()) {
                    outcome.complete(new JobOutcome(jobId, lastSequence, event.getFinished()));
                }
            }

            @Override
            public void onError(Throwable failure) {
                AnnealException broken = AnnealException.from(failure, jobId, lastSequence);
                if (!resume(broken)) {
                    outcome.completeExceptionally(broken);
                }
            }

            @Override
            public void onCompleted() {
                AnnealException early = new AnnealException(Status.Code.UNAVAILABLE,
                        "the gateway closed the stream of job " + jobId + " before it finished (last event "
                                + lastSequence + "); re-attach with watch",
                        jobId, lastSequence, null);
                if (!outcome.isDone() && !resume(early)) {
                    outcome.completeExceptionally(early);
                }
            }
        };
    }

    /** Re-attaches after a broken stream when allowed; false when the failure should end the stream. */
    private boolean resume(AnnealException broken) {
        if (outcome.isDone() || detached || jobId == null || jobId.isEmpty()
                || broken.code() != Status.Code.UNAVAILABLE) {
            return false;
        }
        int attempt;
        synchronized (this) {
            if (attempts >= maxAttempts) {
                return false;
            }
            attempt = ++attempts;
        }
        try {
            listener.onReattaching(attempt, broken.getMessage());
        } catch (RuntimeException e) {
            return false;
        }
        // Back off 0.5 s, 1 s, 2 s, ... up to 8 s: a restarting gateway needs a moment.
        long delayMillis = Math.min(8000, 500L << Math.min(attempt - 1, 4));
        CompletableFuture.delayedExecutor(delayMillis, TimeUnit.MILLISECONDS).execute(() -> {
            if (!outcome.isDone()) {
                reattach.watch(jobId, lastSequence, observer());
            }
        });
        return true;
    }
}
