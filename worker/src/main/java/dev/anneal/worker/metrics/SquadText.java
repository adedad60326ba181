package dev.anneal.worker.metrics;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** The official SQuAD answer normalisation: lower case, no punctuation, no articles, single spaces. */
final class SquadText {
    /** Python's string.punctuation. */
    private static final String PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";
    private static final Pattern ARTICLES = Pattern.compile("\\b(a|an|the)\\b");

    private SquadText() {
    }

    static String normalize(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        StringBuilder kept = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (PUNCTUATION.indexOf(c) < 0) {
                kept.append(c);
            }
        }
        String noArticles = ARTICLES.matcher(kept).replaceAll(" ");
        return String.join(" ", tokens(noArticles));
    }

    /** Python's str.split(): runs of whitespace separate, no empty tokens. */
    static List<String> tokens(String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() ? List.of() : Arrays.asList(trimmed.split("\\s+"));
    }
}
