package dev.anneal.worker.base;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A hub id not in the cache is downloaded from a hub-compatible endpoint (a local HTTP server here). */
class HubDownloadTest {
    private static final Path BERT = Path.of("..", "fixtures", "hf", "generated", "bert", "BertModel");
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private HttpServer server;
    private String hostileIndex;

    @BeforeEach
    void serve() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            requests.add(path);
            String prefix = "/tiny-org/tiny-bert/resolve/main/";
            byte[] body = null;
            if (path.startsWith(prefix)) {
                String file = path.substring(prefix.length());
                boolean sharded = hostileIndex != null;
                if (sharded && file.equals("model.safetensors.index.json")) {
                    body = hostileIndex.getBytes(StandardCharsets.UTF_8);
                } else if (!(sharded && file.equals("model.safetensors")) && !file.equals("reference.json")
                        && Files.isRegularFile(BERT.resolve(file))) {
                    body = Files.readAllBytes(BERT.resolve(file));
                }
            }
            exchange.getResponseHeaders().add("X-Repo-Commit", COMMIT);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        System.setProperty("anneal.hub-endpoint", "http://127.0.0.1:" + server.getAddress().getPort());
    }

    @AfterEach
    void stop() {
        System.clearProperty("anneal.hub-endpoint");
        server.stop(0);
    }

    @Test
    void downloadsIntoTheCacheLayoutOnceAndThenResolvesFromIt(@TempDir Path jobs, @TempDir Path cache) throws Exception {
        RunEnvironment environment = new RunEnvironment(jobs.resolve("job"), jobs, cache);
        Path resolved = BaseModelResolver.resolve("tiny-org/tiny-bert", environment);

        Path snapshot = cache.resolve("models--tiny-org--tiny-bert/snapshots/" + COMMIT);
        assertEquals(snapshot.toAbsolutePath().normalize(), resolved);
        assertEquals(COMMIT, Files.readString(cache.resolve("models--tiny-org--tiny-bert/refs/main")));
        for (String file : List.of("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json")) {
            assertArrayEquals(Files.readAllBytes(BERT.resolve(file)), Files.readAllBytes(snapshot.resolve(file)), file);
        }
        try (var leftovers = Files.list(snapshot.getParent())) {
            assertEquals(1, leftovers.count(), "no staging directory is left behind");
        }

        int before = requests.size();
        assertEquals(resolved, BaseModelResolver.resolve("tiny-org/tiny-bert", environment));
        assertEquals(before, requests.size(), "the second resolve reads the cache, not the endpoint");
    }

    @Test
    void refusesAShardIndexThatNamesAPathOutsideTheSnapshot(@TempDir Path jobs, @TempDir Path cache) {
        hostileIndex = "{\"weight_map\": {\"a.weight\": \"../../../evil.safetensors\"}}";
        RunFailure failure = assertThrows(RunFailure.class, () -> BaseModelResolver.resolve("tiny-org/tiny-bert",
                new RunEnvironment(jobs.resolve("job"), jobs, cache)));
        assertTrue(failure.getMessage().contains("not a file name"), failure.getMessage());
        assertTrue(Files.notExists(cache.resolve("models--tiny-org--tiny-bert/snapshots/" + COMMIT)));
    }

    @Test
    void withoutAnEndpointAnUnknownHubIdIsAClearError(@TempDir Path jobs, @TempDir Path cache) {
        System.clearProperty("anneal.hub-endpoint");
        // HF_ENDPOINT may be set in a developer's shell; the check below only holds when it is not.
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("HF_ENDPOINT") == null);
        RunFailure failure = assertThrows(RunFailure.class, () -> BaseModelResolver.resolve("tiny-org/tiny-bert",
                new RunEnvironment(jobs.resolve("job"), jobs, cache)));
        assertTrue(failure.getMessage().startsWith("base:"), failure.getMessage());
        assertTrue(requests.isEmpty());
    }
}
