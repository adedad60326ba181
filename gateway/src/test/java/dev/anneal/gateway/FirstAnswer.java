package dev.anneal.gateway;

import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A response observer that keeps the call's first answer, or its error, for a test to wait on. */
public final class FirstAnswer<T> implements StreamObserver<T> {
    private final CompletableFuture<T> answer = new CompletableFuture<>();

    @Override
    public void onNext(T value) {
        answer.complete(value);
    }

    @Override
    public void onError(Throwable t) {
        answer.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
    }

    public boolean isDone() {
        return answer.isDone();
    }

    /** The answer; the call's error (a StatusRuntimeException) is thrown as it is. */
    public T get(long timeout, TimeUnit unit) throws Exception {
        try {
            return answer.get(timeout, unit);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        } catch (TimeoutException e) {
            throw new AssertionError("no answer within " + timeout + " " + unit, e);
        }
    }
}
