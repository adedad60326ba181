package dev.anneal.gateway.paging;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * List page tokens (AIP-158 {@code page_token} / {@code next_page_token}): opaque to clients, they carry the
 * sort position of the last item of the page they follow, so the next page starts after it.
 */
public final class PageTokens {
    private static final String PREFIX = "after:";

    private PageTokens() {
    }

    /** The token for the page that follows the item at {@code position}. */
    public static String after(String position) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString((PREFIX + position).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The position a token carries.
     *
     * @throws IllegalArgumentException if {@code token} is not one {@link #after} made
     */
    public static String position(String token) {
        String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        if (!decoded.startsWith(PREFIX) || decoded.length() == PREFIX.length()) {
            throw new IllegalArgumentException("not a page token: " + token);
        }
        return decoded.substring(PREFIX.length());
    }
}
