package dev.anneal.worker.base;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Downloads a model from a Hugging Face hub-compatible endpoint ({@code {endpoint}/{repo}/resolve/{revision}/{file}})
 * into the Hugging Face cache layout: {@code models--org--name/snapshots/<commit>/} and {@code refs/<revision>}.
 * The commit comes from the {@code X-Repo-Commit} header (else the revision). A snapshot is downloaded into a
 * staging directory and renamed into place, so an interrupted download never looks like a model.
 */
public final class HubDownloader {
    /** Files a model directory may have besides its weights; a 404 for any of them is fine. */
    private static final List<String> OPTIONAL = List.of("tokenizer_config.json", "special_tokens_map.json",
            "generation_config.json", "vocab.txt", "vocab.json", "merges.txt", "added_tokens.json");
    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final HttpClient client;

    public HubDownloader(URI endpoint) {
        this.endpoint = endpoint;
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** Downloads {@code repo} at {@code revision} into {@code cache}; returns the snapshot directory. */
    public Path download(String repo, String revision, Path cache) throws IOException {
        Path repoDir = cache.resolve("models--" + repo.replace("/", "--"));
        Path snapshots = Files.createDirectories(repoDir.resolve("snapshots"));
        Path staging = Files.createTempDirectory(snapshots, ".downloading-");
        try {
            String commit = fetch(repo, revision, "config.json", staging, true);
            fetch(repo, revision, "tokenizer.json", staging, true);
            for (String name : OPTIONAL) {
                fetch(repo, revision, name, staging, false);
            }
            fetchWeights(repo, revision, staging);
            Path snapshot = snapshots.resolve(safeName(commit));
            if (!Files.isDirectory(snapshot)) {
                Files.move(staging, snapshot, StandardCopyOption.ATOMIC_MOVE);
            }
            Path ref = Files.createDirectories(repoDir.resolve("refs")).resolve(safeName(revision));
            Path refStaging = Files.createTempFile(ref.getParent(), ".ref-", ".tmp");
            Files.writeString(refStaging, safeName(commit), StandardCharsets.UTF_8);
            Files.move(refStaging, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return snapshot;
        } finally {
            deleteTree(staging);
        }
    }

    private void fetchWeights(String repo, String revision, Path dir) throws IOException {
        if (fetch(repo, revision, "model.safetensors", dir, false) != null) {
            return;
        }
        if (fetch(repo, revision, "model.safetensors.index.json", dir, false) != null) {
            JsonNode index = JSON.readTree(dir.resolve("model.safetensors.index.json").toFile());
            Set<String> shards = new LinkedHashSet<>();
            index.path("weight_map").forEach(shard -> shards.add(shard.asText()));
            for (String shard : shards) {
                if (!SHARD.matcher(shard).matches()) {
                    throw RunFailure.invalidArgument("base", repo + ": the shard index names '" + shard
                            + "', which is not a file name");
                }
                fetch(repo, revision, shard, dir, true);
            }
            return;
        }
        if (fetch(repo, revision, "pytorch_model.bin", dir, false) == null) {
            throw RunFailure.invalidArgument("base", repo + " at " + revision + " has no model.safetensors, "
                    + "model.safetensors.index.json or pytorch_model.bin on " + endpoint);
        }
    }

    /** Downloads one file; returns the repository commit, or null for a missing optional file. */
    private String fetch(String repo, String revision, String file, Path dir, boolean required) throws IOException {
        URI uri = URI.create(endpoint.toString().replaceAll("/+$", "") + "/" + repo + "/resolve/" + revision + "/" + file);
        HttpResponse<InputStream> response;
        try {
            response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while downloading " + uri, e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() == 404 && !required) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw RunFailure.invalidArgument("base", "cannot download " + uri + ": HTTP " + response.statusCode());
            }
            Files.copy(body, dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
        }
        return response.headers().firstValue("X-Repo-Commit").orElse(revision);
    }

    private static String safeName(String value) {
        if (!SHARD.matcher(value).matches()) {
            throw RunFailure.invalidArgument("base", "'" + value + "' is not a usable revision or commit");
        }
        return value;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        List<Path> paths = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(paths::add);
        }
        for (Path path : paths) {
            Files.deleteIfExists(path);
        }
    }
}
