package pipeline.convnet.cli;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --key value} arguments of one subcommand; unknown keys and malformed values are refused by name. */
public final class Options {

    private final String command;
    private final Map<String, String> values = new HashMap<>();

    public Options(String command, List<String> args, Set<String> known) {
        this.command = command;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || i + 1 >= args.size()) {
                throw new IllegalArgumentException(command + ": expected --option value pairs, got '" + arg + "'");
            }
            String key = arg.substring(2);
            if (!known.contains(key)) {
                throw new IllegalArgumentException(command + ": unknown option --" + key + "; known: --"
                        + String.join(", --", known.stream().sorted().toList()));
            }
            values.put(key, args.get(++i));
        }
    }

    public String text(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    public int integer(String key, int fallback) {
        String value = values.get(key);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + key + " must be a whole number, got '" + value + "'");
        }
    }

    public float number(String key, float fallback) {
        String value = values.get(key);
        try {
            return value == null ? fallback : Float.parseFloat(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(command + ": --" + key + " must be a number, got '" + value + "'");
        }
    }
}
