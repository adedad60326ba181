package dev.anneal.gateway.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.gateway.FirstAnswer;
import dev.anneal.gateway.GatewayClient;
import grpc.health.v1.HealthOuterClass.HealthCheckRequest;
import grpc.health.v1.HealthOuterClass.HealthCheckResponse;
import grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** gRPC health and reflection, HTTP health and Prometheus metrics are reachable. */
@QuarkusTest
class PlatformEndpointsTest {
    @TestHTTPResource("/q/health/ready")
    URI ready;

    @TestHTTPResource("/q/metrics")
    URI metrics;

    @Test
    void grpcHealthReportsServing() throws Exception {
        try (GatewayClient gateway = GatewayClient.connect()) {
            HealthCheckResponse overall = HealthGrpc.newBlockingStub(gateway.channel)
                    .check(HealthCheckRequest.newBuilder().build());
            assertEquals(HealthCheckResponse.ServingStatus.SERVING, overall.getStatus());
        }
    }

    @Test
    void reflectionListsTheTrainService() throws Exception {
        try (GatewayClient gateway = GatewayClient.connect()) {
            FirstAnswer<ServerReflectionResponse> answer = new FirstAnswer<>();
            StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(gateway.channel)
                    .serverReflectionInfo(answer);
            requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
            List<String> services = answer.get(10, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
                    .stream().map(ServiceResponse::getName).toList();
            requests.onCompleted();
            assertTrue(services.contains("anneal.v1.TrainService"), services.toString());
        }
    }

    @Test
    void httpHealthAndPrometheusMetrics() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(HttpRequest.newBuilder(ready).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        HttpResponse<String> scrape = http.send(HttpRequest.newBuilder(metrics).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, scrape.statusCode());
        for (String meter : List.of("anneal_jobs_submitted_total", "anneal_events_appended_total",
                "anneal_jobs_running", "anneal_jobs_queued", "anneal_streams_open")) {
            assertTrue(scrape.body().contains(meter), meter + " missing from /q/metrics");
        }
    }
}
