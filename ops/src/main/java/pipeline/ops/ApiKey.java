package pipeline.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import pipeline.infra.InfraException;

/**
 * The local stack's API key: 32 random bytes (base64url), with every scope, made at each start and
 * written to a file only its owner can read, where {@code ./pipeline load} and {@code feed} find it.
 */
record ApiKey(String value) {

    static final String SCOPES = "ingest+read+label+admin";
    private static final SecureRandom RANDOM = new SecureRandom();

    static ApiKey generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return new ApiKey(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** The gateway's {@code gateway.api-keys} value for this key. */
    String gatewaySetting() {
        return value + ":" + SCOPES;
    }

    void writeTo(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, value + "\n");
        } catch (IOException e) {
            throw new InfraException("Cannot write the API key to " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ApiKey[…]";
    }
}
