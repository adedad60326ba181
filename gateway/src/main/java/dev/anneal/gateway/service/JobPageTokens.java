package dev.anneal.gateway.service;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * ListJobs page tokens: opaque to clients, they name the last job of the page they follow. A job id stays
 * valid for as long as the gateway keeps the job, so a token does too, across gateway restarts.
 */
final class JobPageTokens {
    private static final String PREFIX = "after:";

    private JobPageTokens() {
    }

    /** The token for the page that follows the job {@code jobId}. */
    static String after(String jobId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + jobId).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The job id a token names.
     *
     * @throws IllegalArgumentException if {@code token} is not one {@link #after} made
     */
    static String jobId(String token) {
        String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        if (!decoded.startsWith(PREFIX) || decoded.length() == PREFIX.length()) {
            throw new IllegalArgumentException("not a page token: " + token);
        }
        return decoded.substring(PREFIX.length());
    }
}
