package dev.anneal.gateway.kubernetes;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.MockWebServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/** A fabric8 mock API server (CRUD mode) for a {@code @QuarkusTest}; the gateway reaches it by anneal.kubernetes.master-url. */
public class MockApiServerResource implements QuarkusTestResourceLifecycleManager {
    static KubernetesMockServer server;

    @Override
    public Map<String, String> start() {
        server = new KubernetesMockServer(new io.fabric8.mockwebserver.Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init();
        return Map.of("anneal.kubernetes.master-url", server.url("/"));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.destroy();
        }
    }
}
