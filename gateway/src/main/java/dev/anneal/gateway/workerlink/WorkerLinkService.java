package dev.anneal.gateway.workerlink;

import dev.anneal.api.v1.GatewayMessage;
import dev.anneal.api.v1.WorkerMessage;
import dev.anneal.api.v1.WorkerServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import org.jboss.logging.Logger;

/** The gateway's side of {@code anneal.v1.WorkerService}: one {@link WorkerChannel} per worker stream. */
public final class WorkerLinkService extends WorkerServiceGrpc.WorkerServiceImplBase {
    private static final Logger LOG = Logger.getLogger(WorkerLinkService.class);

    private final WorkerAttempts attempts;

    public WorkerLinkService(WorkerAttempts attempts) {
        this.attempts = attempts;
    }

    @Override
    public StreamObserver<WorkerMessage> connect(StreamObserver<GatewayMessage> responses) {
        return new StreamObserver<>() {
            private WorkerChannel channel;

            @Override
            public void onNext(WorkerMessage message) {
                try {
                    switch (message.getMessageCase()) {
                        case HELLO -> {
                            if (channel != null) {
                                throw Status.INVALID_ARGUMENT.withDescription("hello: sent twice on one stream")
                                        .asRuntimeException();
                            }
                            WorkerChannel candidate = new WorkerChannel(message.getHello().getJobId(),
                                    message.getHello().getAttempt(), responses);
                            var spec = attempts.attach(message.getHello(), candidate);
                            channel = candidate;
                            channel.spec(spec);
                        }
                        case EVENT -> {
                            if (channel == null) {
                                throw Status.FAILED_PRECONDITION.withDescription("event: before hello")
                                        .asRuntimeException();
                            }
                            channel.ack(attempts.deliver(channel, message.getEvent()));
                        }
                        default -> throw Status.INVALID_ARGUMENT.withDescription("message: empty or unknown")
                                .asRuntimeException();
                    }
                } catch (StatusRuntimeException refused) {
                    end(refused.getStatus());
                } catch (RuntimeException unexpected) {
                    LOG.error("worker stream failed", unexpected);
                    end(Status.INTERNAL.withDescription(String.valueOf(unexpected)));
                }
            }

            private void end(Status status) {
                WorkerChannel ended = channel != null ? channel : new WorkerChannel("", 0, responses);
                if (channel != null) {
                    if (status.getCode() == Status.Code.FAILED_PRECONDITION) {
                        channel.cancel();
                    }
                    attempts.detach(channel);
                    channel = null;
                }
                ended.fail(status);
            }

            @Override
            public void onError(Throwable error) {
                closed();
            }

            @Override
            public void onCompleted() {
                closed();
                try {
                    responses.onCompleted();
                } catch (IllegalStateException alreadyEnded) {
                    // the gateway ended this call first (a refusal); nothing left to close
                }
            }

            private void closed() {
                if (channel != null) {
                    channel.markClosed();
                    attempts.detach(channel);
                    channel = null;
                }
            }
        };
    }
}
