package dev.anneal.images;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Just enough of a Dockerfile to check its inputs: base images, COPY sources and ARG defaults. */
final class Dockerfile {

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{(\\w+)}|\\$(\\w+)");

    private final List<String> instructions;
    private final Map<String, String> argDefaults = new LinkedHashMap<>();
    private final Set<String> stageNames = new java.util.HashSet<>();

    private Dockerfile(List<String> instructions) {
        this.instructions = instructions;
        for (String instruction : instructions) {
            String[] words = instruction.split("\\s+");
            if (words[0].equalsIgnoreCase("ARG") && words.length > 1 && words[1].contains("=")) {
                String[] pair = words[1].split("=", 2);
                argDefaults.putIfAbsent(pair[0], pair[1]);
            }
            if (words[0].equalsIgnoreCase("FROM") && words.length == 4 && words[2].equalsIgnoreCase("AS")) {
                stageNames.add(words[3]);
            }
        }
    }

    static Dockerfile read(Path file) throws IOException {
        List<String> instructions = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            String stripped = line.strip();
            if (current.length() == 0 && (stripped.isEmpty() || stripped.startsWith("#"))) {
                continue;
            }
            if (stripped.endsWith("\\")) {
                current.append(stripped, 0, stripped.length() - 1).append(' ');
            } else {
                current.append(stripped);
                instructions.add(current.toString().strip());
                current.setLength(0);
            }
        }
        return new Dockerfile(instructions);
    }

    String argDefault(String name) {
        String value = argDefaults.get(name);
        if (value == null) {
            throw new AssertionError("no ARG " + name + " with a default");
        }
        return value;
    }

    /** Images of FROM lines, ARGs resolved to their defaults; stages built earlier in the file are left out. */
    List<String> baseImages() {
        List<String> images = new ArrayList<>();
        for (String instruction : instructions) {
            String[] words = instruction.split("\\s+");
            if (words[0].equalsIgnoreCase("FROM") && !stageNames.contains(words[1])) {
                images.add(resolve(words[1]));
            }
        }
        return images;
    }

    /** Sources of COPY/ADD from the build context (not --from another stage), ARGs resolved. */
    List<String> contextSources() {
        List<String> sources = new ArrayList<>();
        for (String instruction : instructions) {
            String[] words = instruction.split("\\s+");
            if (!words[0].equalsIgnoreCase("COPY") && !words[0].equalsIgnoreCase("ADD")) {
                continue;
            }
            List<String> operands = new ArrayList<>();
            boolean fromStage = false;
            for (int i = 1; i < words.length; i++) {
                if (words[i].startsWith("--from")) {
                    fromStage = true;
                } else if (!words[i].startsWith("--")) {
                    operands.add(words[i]);
                }
            }
            if (!fromStage) {
                operands.subList(0, operands.size() - 1).forEach(source -> sources.add(resolve(source)));
            }
        }
        return sources;
    }

    List<String> instructions() {
        return instructions;
    }

    private String resolve(String text) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder resolved = new StringBuilder();
        while (matcher.find()) {
            String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(2);
            matcher.appendReplacement(resolved, Matcher.quoteReplacement(argDefault(name)));
        }
        matcher.appendTail(resolved);
        return resolved.toString();
    }
}
