package dev.anneal.worker.base;

import dev.anneal.worker.model.lora.LoraConfig;
import dev.anneal.worker.run.RunEnvironment;
import dev.anneal.worker.run.RunFailure;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resolves a request's {@code base} to a local Hugging Face model directory: {@code job:<id>} is an earlier
 * job's saved model; a path is a model directory; anything else is a hub id looked up in the Hugging Face
 * cache layout ({@code models--org--name/snapshots/<revision>/}, revision from {@code refs/main}) and, when a hub
 * endpoint is configured, downloaded into that cache first.
 */
public final class BaseModelResolver {
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    private static final Pattern HUB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]*(/[A-Za-z0-9][A-Za-z0-9_.-]*)?");

    private BaseModelResolver() {
    }

    public static Path resolve(String base, RunEnvironment environment) {
        return resolve(base, "base", environment);
    }

    /**
     * Resolves a model reference given in the request's {@code field} (e.g. a distillation teacher) the
     * same way as {@code base}; failures name that field.
     */
    public static Path resolve(String base, String field, RunEnvironment environment) {
        if (base.startsWith("job:")) {
            return earlierJob(base.substring(4), field, environment);
        }
        Path path = Path.of(base);
        if (Files.isDirectory(path)) {
            return requireModelDirectory(path, base, field);
        }
        if (environment.modelCache() != null && HUB_ID.matcher(base).matches()) {
            Path cached = hubCache(base, field, environment.modelCache());
            if (cached != null) {
                return requireModelDirectory(cached, base, field);
            }
            URI endpoint = hubEndpoint();
            if (endpoint != null) {
                try {
                    return requireModelDirectory(new HubDownloader(endpoint).download(base, "main",
                            environment.modelCache()), base, field);
                } catch (IOException e) {
                    throw RunFailure.invalidArgument(field, "cannot download " + base + " from " + endpoint + ": "
                            + e.getMessage());
                }
            }
        }
        throw RunFailure.invalidArgument(field, "'" + base + "' is neither a model directory, a job:<id> nor a "
                + "hub id in the model cache");
    }

    /**
     * The hub endpoint to download missing hub ids from: system property {@code anneal.hub-endpoint}, else
     * Hugging Face's own {@code HF_ENDPOINT}; none (no download) unless configured, or when HF_HUB_OFFLINE=1.
     */
    static URI hubEndpoint() {
        if ("1".equals(System.getenv("HF_HUB_OFFLINE"))) {
            return null;
        }
        String configured = System.getProperty("anneal.hub-endpoint", System.getenv("HF_ENDPOINT"));
        return configured == null || configured.isBlank() ? null : URI.create(configured);
    }

    private static Path earlierJob(String reference, String field, RunEnvironment environment) {
        // job:<id>, or job:<id>/<part> for a model saved in parts (token-detection's generator/discriminator).
        int slash = reference.indexOf('/');
        String jobId = slash < 0 ? reference : reference.substring(0, slash);
        String part = slash < 0 ? null : reference.substring(slash + 1);
        if (!JOB_ID.matcher(jobId).matches()) {
            throw RunFailure.invalidArgument(field, "'" + jobId + "' is not a job id");
        }
        Path model = environment.jobsRoot().resolve(jobId).resolve("model");
        if (!Files.isDirectory(model)) {
            throw RunFailure.invalidArgument(field, "job " + jobId + " has no saved model");
        }
        List<String> parts = modelParts(model);
        if (part != null) {
            if (!parts.contains(part)) {
                throw RunFailure.invalidArgument(field, "job " + jobId + " has no model part '" + part + "'"
                        + (parts.isEmpty() ? "" : "; its parts are " + parts));
            }
            return requireModelDirectory(model.resolve(part), "job:" + reference, field);
        }
        if (!Files.isRegularFile(model.resolve("config.json")) && LoraConfig.isAdapterDirectory(model)) {
            // A LoRA job saved only its adapter: start from the base it was trained on; CREATE_MODEL merges it.
            // Only the base is merged, so any other model reference (a teacher) would silently lack the adapter.
            if (!"base".equals(field)) {
                throw RunFailure.invalidArgument(field, "job " + jobId + " saved a LoRA adapter, not a model; "
                        + "only base can start from it");
            }
            return resolve(adapterBase(model, jobId, field), field, environment);
        }
        if (!Files.isRegularFile(model.resolve("config.json")) && !parts.isEmpty()) {
            throw RunFailure.invalidArgument(field, "job " + jobId + " saved its model in parts " + parts
                    + ": name one, e.g. job:" + jobId + "/" + parts.get(0));
        }
        return requireModelDirectory(model, "job:" + jobId, field);
    }

    /**
     * The LoRA adapters that {@code base} stands for on top of the directory {@link #resolve} returns, to be
     * merged in this order: none unless {@code base} is {@code job:<id>} of a LoRA job, then that job's
     * adapter after the adapters of its own base (a chain of LoRA jobs).
     */
    public static List<Path> adapters(String base, String field, RunEnvironment environment) {
        List<Path> chain = new ArrayList<>();
        String reference = base;
        while (reference.startsWith("job:") && reference.indexOf('/') < 0) {
            String jobId = reference.substring(4);
            Path model = environment.jobsRoot().resolve(jobId).resolve("model");
            if (Files.isRegularFile(model.resolve("config.json")) || !LoraConfig.isAdapterDirectory(model)) {
                break;
            }
            chain.add(0, model.toAbsolutePath().normalize());
            reference = adapterBase(model, jobId, field);
        }
        return chain;
    }

    private static String adapterBase(Path adapter, String jobId, String field) {
        try {
            return LoraConfig.baseModelOf(adapter);
        } catch (IOException e) {
            throw RunFailure.invalidArgument(field, "job " + jobId + " saved a LoRA adapter whose base cannot be "
                    + "read: " + e.getMessage());
        }
    }

    /** Subdirectories of a saved model that are models themselves, sorted by name. */
    private static List<String> modelParts(Path model) {
        try (Stream<Path> children = Files.list(model)) {
            return children.filter(child -> Files.isRegularFile(child.resolve("config.json")))
                    .map(child -> child.getFileName().toString())
                    .filter(name -> JOB_ID.matcher(name).matches())
                    .sorted()
                    .toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    private static Path hubCache(String hubId, String field, Path cache) {
        Path repo = cache.resolve("models--" + hubId.replace("/", "--"));
        Path ref = repo.resolve("refs").resolve("main");
        try {
            if (Files.isRegularFile(ref)) {
                String revision = Files.readString(ref, StandardCharsets.UTF_8).trim();
                Path snapshot = repo.resolve("snapshots").resolve(revision);
                if (Files.isDirectory(snapshot)) {
                    return snapshot;
                }
            }
        } catch (IOException e) {
            throw RunFailure.invalidArgument(field, "cannot read the cache entry of " + hubId + ": " + e.getMessage());
        }
        return null;
    }

    private static Path requireModelDirectory(Path dir, String base, String field) {
        if (!Files.isRegularFile(dir.resolve("config.json"))) {
            throw RunFailure.invalidArgument(field, "'" + base + "' has no config.json");
        }
        return dir.toAbsolutePath().normalize();
    }
}
