package pipeline.gateway;

import java.nio.charset.StandardCharsets;
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

    /** Shortest key accepted: guessing must be hopeless. */
    static final int MIN_KEY_LENGTH = 16;

    private final List<Entry> entries;

    private ApiKeys(List<Entry> entries) {
        this.entries = entries;
    }

    /** Parses {@code key:scope+scope,key:scope}; a malformed entry is refused naming its position, not its key. */
    static ApiKeys parse(String setting) {
        List<Entry> entries = new ArrayList<>();
        String[] items = setting.split(",");
        for (int i = 0; i < items.length; i++) {
            String item = items[i].trim();
            if (item.isEmpty()) {
                continue;
            }
            String where = "gateway.api-keys entry " + (i + 1);
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
            entries.add(new Entry(digest(key), new Caller("key " + (i + 1), Set.copyOf(scopes))));
        }
        if (entries.isEmpty()) {
            throw new IllegalArgumentException("gateway.api-keys holds no key; the gateway lets no one in without one");
        }
        return new ApiKeys(List.copyOf(entries));
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
