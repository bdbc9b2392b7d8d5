package pipeline.schemas.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;
import pipeline.config.ValueType;

/**
 * Who the client is to the registry, sent with every request as Confluent's serdes send it: nothing,
 * HTTP basic auth ({@code basic.auth.user.info}) or a static bearer token ({@code bearer.auth.token}).
 * The secret never shows in {@link #toString()}.
 */
public sealed interface RegistryCredentials {

    RegistryCredentials NONE = new Anonymous();

    /** The {@code Authorization} header's value, if any. */
    Optional<String> authorization();

    /** HTTP basic auth from {@code user:password}, or none when {@code userInfo} is empty. */
    static RegistryCredentials basic(String userInfo) {
        return userInfo == null || userInfo.isEmpty() ? NONE : new Basic(userInfo);
    }

    /** A bearer token, or none when {@code token} is empty. */
    static RegistryCredentials bearer(String token) {
        return token == null || token.isEmpty() ? NONE : new Bearer(token);
    }

    /** No credentials. */
    record Anonymous() implements RegistryCredentials {
        @Override
        public Optional<String> authorization() {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "no credentials";
        }
    }

    /** @param userInfo {@code user:password}; the user may not contain a colon, the password may */
    record Basic(String userInfo) implements RegistryCredentials {
        public Basic {
            if (userInfo.indexOf(':') < 1) {
                throw new IllegalArgumentException("registry basic-auth user info is not user:password (a user, a colon, a"
                        + " password); expected e.g. pipeline-gateway:secret");
            }
        }

        public String user() {
            return userInfo.substring(0, userInfo.indexOf(':'));
        }

        @Override
        public Optional<String> authorization() {
            return Optional.of("Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8)));
        }

        @Override
        public String toString() {
            return "basic auth as " + user() + " (password " + ValueType.HIDDEN + ")";
        }
    }

    /** @param token sent as {@code Authorization: Bearer token} */
    record Bearer(String token) implements RegistryCredentials {
        public Bearer {
            if (token.chars().anyMatch(c -> c <= ' ')) {
                throw new IllegalArgumentException("registry bearer token has a space or control character; expected the token alone");
            }
        }

        @Override
        public Optional<String> authorization() {
            return Optional.of("Bearer " + token);
        }

        @Override
        public String toString() {
            return "bearer token " + ValueType.HIDDEN;
        }
    }
}
