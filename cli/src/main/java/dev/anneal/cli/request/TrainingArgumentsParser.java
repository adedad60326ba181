package dev.anneal.cli.request;

import com.google.protobuf.Descriptors.FieldDescriptor;
import dev.anneal.api.v1.TrainingArguments;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns {@code --arg name=value} options into a {@link TrainingArguments} message. Names are the Hugging Face
 * {@code TrainingArguments} names, which are also the proto field names, so the message's descriptor is the list
 * of what is supported and of each argument's type.
 */
public final class TrainingArgumentsParser {

    private TrainingArgumentsParser() {}

    /**
     * @throws IllegalArgumentException naming the argument and the problem: no '=', an unknown name (with the
     *     closest known one), a value of the wrong type, or a name given twice
     */
    public static TrainingArguments parse(List<String> assignments) {
        TrainingArguments.Builder args = TrainingArguments.newBuilder();
        Set<String> seen = new HashSet<>();
        for (String assignment : assignments) {
            int eq = assignment.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(
                        "--arg " + assignment + ": expected name=value, e.g. --arg learning_rate=5e-5");
            }
            String name = assignment.substring(0, eq).trim();
            String value = assignment.substring(eq + 1).trim();
            FieldDescriptor field = TrainingArguments.getDescriptor().findFieldByName(name);
            if (field == null) {
                throw new IllegalArgumentException("--arg " + assignment + ": unknown training argument '" + name
                        + "'" + suggestion(name) + ". Supported (Hugging Face TrainingArguments names): "
                        + String.join(", ", names()));
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("--arg " + name + " is given more than once");
            }
            args.setField(field, convert(field, value, assignment));
        }
        return args.build();
    }

    /** The supported argument names, in proto order. */
    public static List<String> names() {
        return TrainingArguments.getDescriptor().getFields().stream().map(FieldDescriptor::getName).toList();
    }

    private static Object convert(FieldDescriptor field, String value, String assignment) {
        String name = field.getName();
        try {
            switch (field.getJavaType()) {
                case DOUBLE:
                    double d = Double.parseDouble(value);
                    if (!Double.isFinite(d)) {
                        throw new NumberFormatException();
                    }
                    return d;
                case LONG:
                    return Long.parseLong(value);
                case INT:
                    return Integer.parseInt(value);
                case BOOLEAN:
                    if (value.equalsIgnoreCase("true")) {
                        return true;
                    }
                    if (value.equalsIgnoreCase("false")) {
                        return false;
                    }
                    throw new NumberFormatException();
                case STRING:
                    if (value.isEmpty()) {
                        throw new IllegalArgumentException("--arg " + assignment + ": " + name + " needs a value");
                    }
                    return value;
                default:
                    throw new IllegalStateException("TrainingArguments." + name + " has unexpected type "
                            + field.getJavaType());
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--arg " + assignment + ": " + name + " takes " + describe(field)
                    + ", not '" + value + "'");
        }
    }

    private static String describe(FieldDescriptor field) {
        return switch (field.getJavaType()) {
            case DOUBLE -> "a number";
            case LONG, INT -> "a whole number";
            case BOOLEAN -> "true or false";
            default -> "a " + field.getJavaType().name().toLowerCase();
        };
    }

    private static String suggestion(String name) {
        return names().stream()
                .min(Comparator.comparingInt(known -> editDistance(known, name)))
                .filter(best -> editDistance(best, name) <= Math.max(2, name.length() / 4))
                .map(best -> " (did you mean '" + best + "'?)")
                .orElse("");
    }

    static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** For help texts: "name (type)" pairs. */
    public static String describeAll() {
        return TrainingArguments.getDescriptor().getFields().stream()
                .map(f -> f.getName() + " (" + describe(f) + ")")
                .collect(Collectors.joining(", "));
    }
}
