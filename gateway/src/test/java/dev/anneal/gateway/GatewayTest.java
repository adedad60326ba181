package dev.anneal.gateway;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Base of the {@code @QuarkusTest} classes that talk to the gateway: a real gRPC channel to the gateway
 * Quarkus starts once for all of them, opened before a class's tests and closed after them.
 */
public abstract class GatewayTest {
    protected static GatewayClient gateway;

    @BeforeAll
    static void connect() {
        gateway = GatewayClient.connect();
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        gateway.close();
    }
}
