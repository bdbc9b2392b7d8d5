package pipeline.gateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys the gateway accepts, each with its scopes, from a setting such as
 * {@code "k3y-one:ingest+read,k3y-two:admin"}. Keys are held only as SHA-256 digests and compared
 * in constant time (digests of equal length, so a key's length does not leak either); a key never
 * appears in a message or a log line, only its name ({@code key 1}, {@code key 2}, …).
 */
final class ApiKeys {

    /** An authenticated caller: which key (by position, never its value) and what it may do. */
    record Caller(String name, Set<Scope> scopes) {
    }

    private record Entry(byte[] digest, Caller caller) {
    }

    /** No key: no one is let in. */
    static final ApiKeys NONE = new ApiKeys(List.of());

    /** Shortest key accepted: guessing must be hopeless. */
    static final int MIN_KEY_LENGTH = 16;

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses {@code key:scope+scope,key:scope}; a malformed entry is refused naming its position, not its key. */
    static ApiKeys parse(String setting) {
        ApiKeys keys = parse(List.of(setting.split(",")), "gateway.api-keys entry ", "key ");
        if (keys.entries.isEmpty()) {
            throw new IllegalArgumentException("gateway.api-keys holds no key; the gateway lets no one in without one");
        }
        return keys;
    }

    /**
     * The keys of a file's {@code lines}, one {@code key:scope+scope} per line; blank lines and lines starting
     * with {@code #} are skipped. A malformed line is refused naming its number, not its key.
     */
    static ApiKeys parseFile(List<String> lines, Path file) {
        List<String> items = lines.stream().map(line -> line.strip().startsWith("#") ? "" : line).toList();
        return parse(items, file + " line ", "key on line ");
    }

    /** These keys and {@code more}: a caller holding a key of either is let in. */
    ApiKeys plus(ApiKeys more) {
        List<Entry> all = new ArrayList<>(entries);
        all.addAll(more.entries);
        return new ApiKeys(List.copyOf(all));
    }

    /** How many keys there are. */
    int size() {
        return entries.size();
    }

    /** Each non-blank item is {@code key:scope+scope}; the i-th (from 1) is called {@code name + i}, and named {@code where + i} in errors. */
    private static ApiKeys parse(List<String> items, String where, String name) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String item = items.get(i).trim();
            if (!item.isEmpty()) {
                entries.add(entry(item, where + (i + 1), name + (i + 1)));
            }
        }
        return new ApiKeys(List.copyOf(entries));
    }

    private static Entry entry(String item, String where, String name) {
        int colon = item.lastIndexOf(':');
        if (colon <= 0 || colon == item.length() - 1) {
            throw new IllegalArgumentException(where + " must be KEY:SCOPE[+SCOPE…], e.g. <key>:ingest+read");
        }
        String key = item.substring(0, colon);
        if (key.length() < MIN_KEY_LENGTH) {
            throw new IllegalArgumentException(where + ": the key is " + key.length() + " characters; at least "
                    + MIN_KEY_LENGTH + " are needed");
        }
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String scope : item.substring(colon + 1).split("\\+")) {
            try {
                scopes.add(Scope.parse(scope));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
            }
        }
        return new Entry(digest(key), new Caller(name, Set.copyOf(scopes)));
    }

    /**
     * The caller holding {@code presented}, if any. Every entry is compared, whether or not an
     * earlier one matched, so the time taken does not say which key (or how much of it) was right.
     */
    Optional<Caller> authenticate(String presented) {
        byte[] digest = digest(presented);
        Caller found = null;
        for (Entry entry : entries) {
            if (MessageDigest.isEqual(entry.digest(), digest)) {
                found = entry.caller();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
