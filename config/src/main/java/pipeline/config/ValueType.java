package pipeline.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the text of a setting becomes a value, and how to describe the form it expects.
 *
 * @param expected the accepted form in words, as shown in error messages ("an integer from 1 to 4096")
 * @param parser   turns trimmed text into a value; throws {@link IllegalArgumentException} when it cannot
 */
public record ValueType<T>(String expected, Function<String, T> parser) {

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    /** Parses {@code raw}, or throws {@link IllegalArgumentException}. */
    public T parse(String raw) {
        return parser.apply(raw.trim());
    }

    public static ValueType<String> text() {
        return new ValueType<>("a non-empty text", raw -> {
            if (raw.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return raw;
        });
    }

    /**
     * A password, key or token: any text, empty for none. The settings never show a value (they name the key
     * alone), and whoever holds one shows it as {@link #HIDDEN}.
     */
    public static ValueType<String> secret() {
        return new ValueType<>("a secret, or nothing for none", raw -> raw);
    }

    /** How a secret is shown in logs, summaries and errors. */
    public static final String HIDDEN = "[hidden]";

    public static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>("an integer from " + min + " to " + max, raw -> {
            int value = Integer.parseInt(raw);
            if (value < min || value > max) {
                throw new IllegalArgumentException("out of range");
            }
            return value;
        });
    }

    /** A finite decimal number such as {@code 0.001} or {@code 1e-3}, within {@code [min, max]}. */
    public static ValueType<Double> decimal(double min, double max) {
        return new ValueType<>("a number from " + min + " to " + max, raw -> {
            double value = Double.parseDouble(raw);
            if (!(value >= min && value <= max)) {
                throw new IllegalArgumentException("out of range");
            }
            return value;
        });
    }

    /** A TCP port; 0 means "any free port". */
    public static ValueType<Integer> port() {
        return new ValueType<>("a TCP port from 0 to 65535 (0 = any free port)", integer(0, 65535).parser());
    }

    public static ValueType<Boolean> bool() {
        return new ValueType<>("true or false", raw -> switch (raw.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("not a boolean");
        });
    }

    /** A duration such as {@code 250ms}, {@code 30s}, {@code 5m}, {@code 2h}, {@code 7d}. */
    public static ValueType<Duration> duration() {
        return new ValueType<>("a duration such as 250ms, 30s, 5m, 2h or 7d", raw -> {
            Matcher m = DURATION.matcher(raw);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a duration");
            }
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                case "h" -> Duration.ofHours(amount);
                default -> Duration.ofDays(amount);
            };
        });
    }

    /** A size in bytes, such as {@code 512}, {@code 64KiB}, {@code 10MiB}, {@code 1GiB}. */
    public static ValueType<Long> byteSize() {
        return new ValueType<>("a size such as 512, 64KiB, 10MiB or 1GiB", raw -> {
            Matcher m = SIZE.matcher(raw);
            if (!m.matches()) {
                throw new IllegalArgumentException("not a size");
            }
            long amount = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2);
            return switch (unit) {
                case "KiB" -> amount << 10;
                case "MiB" -> amount << 20;
                case "GiB" -> amount << 30;
                default -> amount;
            };
        });
    }

    public static ValueType<Path> path() {
        return new ValueType<>("a file system path", raw -> {
            if (raw.isEmpty()) {
                throw new IllegalArgumentException("empty");
            }
            return Path.of(raw);
        });
    }

    /** One of an enum's constants, written in lower case with dashes ({@code TOPIC_RECORD} → {@code topic-record}). */
    public static <E extends Enum<E>> ValueType<E> oneOf(Class<E> type) {
        E[] constants = type.getEnumConstants();
        String names = String.join(", ", Arrays.stream(constants).map(ValueType::settingName).toList());
        return new ValueType<>("one of " + names, raw -> {
            for (E constant : constants) {
                if (settingName(constant).equalsIgnoreCase(raw)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("not one of " + names);
        });
    }

    /** The spelling of an enum constant in settings: lower case, dashes for underscores. */
    public static String settingName(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
