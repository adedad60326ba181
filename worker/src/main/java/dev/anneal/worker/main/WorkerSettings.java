package dev.anneal.worker.main;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * What a worker pod is told through its environment (set by the gateway's Job, the token from the
 * attempt's Secret).
 *
 * @param gatewayAddress  host:port of the gateway's worker service
 * @param dataDir         where the shared store is mounted; job paths in the spec are relative to it
 * @param modelCache      a Hugging Face cache-layout directory for hub ids, or null
 * @param reconnectBudget how long the worker keeps dialling a gateway it lost before it gives up
 */
public record WorkerSettings(String gatewayAddress, String jobId, int attempt, String token, Path dataDir,
        Path modelCache, Duration reconnectBudget) {

    public static final String GATEWAY_ADDRESS = "ANNEAL_GATEWAY_ADDRESS";
    public static final String JOB_ID = "ANNEAL_JOB_ID";
    public static final String ATTEMPT = "ANNEAL_ATTEMPT";
    public static final String JOB_TOKEN = "ANNEAL_JOB_TOKEN";
    public static final String DATA_DIR = "ANNEAL_DATA_DIR";
    public static final String MODEL_CACHE = "ANNEAL_MODEL_CACHE";
    public static final String RECONNECT_SECONDS = "ANNEAL_RECONNECT_SECONDS";

    /**
     * Reads the settings from environment variables.
     *
     * @throws IllegalArgumentException naming the variable that is missing or malformed
     */
    public static WorkerSettings fromEnvironment(Map<String, String> env) {
        String address = required(env, GATEWAY_ADDRESS);
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException(GATEWAY_ADDRESS + ": expected host:port, got \"" + address + "\"");
        }
        int attempt = integer(env, ATTEMPT, required(env, ATTEMPT));
        if (attempt < 1) {
            throw new IllegalArgumentException(ATTEMPT + ": must be at least 1, got " + attempt);
        }
        String modelCache = env.getOrDefault(MODEL_CACHE, "");
        int reconnectSeconds = integer(env, RECONNECT_SECONDS, env.getOrDefault(RECONNECT_SECONDS, "600"));
        return new WorkerSettings(address, required(env, JOB_ID), attempt, required(env, JOB_TOKEN),
                Path.of(required(env, DATA_DIR)).toAbsolutePath(),
                modelCache.isBlank() ? null : Path.of(modelCache).toAbsolutePath(),
                Duration.ofSeconds(reconnectSeconds));
    }

    private static String required(Map<String, String> env, String name) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + ": environment variable is required");
        }
        return value.trim();
    }

    private static int integer(Map<String, String> env, String name, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": expected an integer, got \"" + value + "\"");
        }
    }

    @Override
    public String toString() {
        // Never print the token.
        return "WorkerSettings[gateway=" + gatewayAddress + ", job=" + jobId + ", attempt=" + attempt + ", data="
                + dataDir + "]";
    }
}
