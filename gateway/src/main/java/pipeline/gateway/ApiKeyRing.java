package pipeline.gateway;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API keys the gateway accepts now: those of {@code gateway.api-keys} and, when
 * {@code gateway.api-keys-file} names one, the file's, re-read every {@link #REFRESH}. A key added to
 * the file is accepted, and a key removed from it refused, within a second of the change, without a
 * restart. A file that cannot be read or parsed leaves the keys as they were and says why (naming the
 * line, never a key), so a half-written edit locks no one out. To swap keys atomically, write the new
 * file beside the old one and rename it over it.
 */
final class ApiKeyRing {

    private static final Logger LOG = LoggerFactory.getLogger(ApiKeyRing.class);

    /** How often the file is read; a removed key works at most this long (plus a read) after the change. */
    static final Duration REFRESH = Duration.ofMillis(250);

    private final ApiKeys fixed;
    private final Path file;
    private volatile ApiKeys current;
    private byte[] lastRead;

    private ApiKeyRing(ApiKeys fixed, Path file) {
        this.fixed = fixed;
        this.file = file;
    }

    /**
     * The settings' keys, read once now.
     *
     * @throws IllegalArgumentException naming the malformed entry or line, an unreadable file, or that there is no key at all
     */
    static ApiKeyRing of(GatewaySettings settings) {
        ApiKeys fixed = settings.apiKeys().isBlank() && !settings.apiKeysFile().isEmpty() ? ApiKeys.NONE
                : ApiKeys.parse(settings.apiKeys());
        ApiKeyRing ring = new ApiKeyRing(fixed, settings.apiKeysFile().isEmpty() ? null : Path.of(settings.apiKeysFile()));
        ring.current = fixed;
        if (ring.file != null) {
            try {
                ring.read();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read gateway.api-keys-file " + ring.file + ": " + e.getMessage()
                        + "; expected a readable file with one KEY:SCOPE+SCOPE per line", e);
            }
        }
        if (ring.current.size() == 0) {
            throw new IllegalArgumentException("neither gateway.api-keys nor gateway.api-keys-file holds a key; the gateway lets"
                    + " no one in without one");
        }
        return ring;
    }

    /** The keys to check a request against. */
    ApiKeys current() {
        return current;
    }

    /** Whether there is a file to re-read. */
    boolean rotating() {
        return file != null;
    }

    /** Re-reads the file when its bytes changed; on an error, keeps the keys as they are and logs why. */
    void refresh() {
        try {
            read();
        } catch (IOException | IllegalArgumentException e) {
            LOG.warn("API keys in {} not reloaded, the {} keys before stay: {}", file, current.size(), e.getMessage());
        }
    }

    private void read() throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        if (Arrays.equals(bytes, lastRead)) {
            return;
        }
        boolean reload = lastRead != null;
        lastRead = bytes;
        ApiKeys fromFile = ApiKeys.parseFile(new String(bytes, StandardCharsets.UTF_8).lines().toList(), file);
        current = fixed.plus(fromFile);
        if (reload) {
            LOG.info("API keys reloaded from {}: {} key(s) there, {} in all", file, fromFile.size(), current.size());
        }
    }
}
