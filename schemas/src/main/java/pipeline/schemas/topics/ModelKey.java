package pipeline.schemas.topics;

import java.util.regex.Pattern;

/** The key of {@code models} and {@code model-accuracy} records: {@code <name>:<version>}, e.g. {@code fashion-lenet5:3}. */
public record ModelKey(String name, int version) {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,99}");

    public ModelKey {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("model name '" + name
                    + "' must be 1 to 100 characters of a-z, 0-9, '.', '_' or '-', starting with a letter or digit");
        }
        if (version < 1) {
            throw new IllegalArgumentException("model version " + version + " of '" + name + "' must be 1 or more");
        }
    }

    public static ModelKey parse(String key) {
        int colon = key == null ? -1 : key.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("model key '" + key + "' must look like name:version, e.g. fashion-lenet5:3");
        }
        try {
            return new ModelKey(key.substring(0, colon), Integer.parseInt(key.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("model key '" + key + "' must end with a version number, e.g. fashion-lenet5:3", e);
        }
    }

    @Override
    public String toString() {
        return name + ":" + version;
    }
}
