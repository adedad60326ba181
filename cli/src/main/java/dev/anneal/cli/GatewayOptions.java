package dev.anneal.cli;

import dev.anneal.api.client.AnnealClient;
import picocli.CommandLine.Option;

/** Where the gateway is: {@code --target}, else {@code ANNEAL_TARGET}, else localhost:9090. */
final class GatewayOptions {

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "${env:ANNEAL_TARGET:-localhost:9090}",
            description = "Gateway gRPC address (default: $ANNEAL_TARGET or localhost:9090).")
    String target;

    AnnealClient connect() {
        return connect(target, REATTACH_ATTEMPTS);
    }

    /** A followed job survives a gateway restart or a network blip: re-attach from the last event. */
    static final int REATTACH_ATTEMPTS = 6;

    static AnnealClient connect(String target, int reattachAttempts) {
        return AnnealClient.builder().setTarget(target).optReattachAttempts(reattachAttempts).build();
    }
}
