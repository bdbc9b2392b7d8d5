package pipeline.schemas.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import pipeline.config.ValueType;

/**
 * The certificates a client trusts for HTTPS instead of the JDK's: a PKCS12 or JKS file (the type
 * is detected) and its password. The password never shows in {@link #toString()}.
 */
public record Truststore(Path file, String password) {

    public Truststore {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("the truststore " + file + " is not a readable file; expected a PKCS12 or JKS file");
        }
    }

    /** An HTTPS context that trusts exactly this store's certificates. */
    public SSLContext sslContext() {
        try {
            KeyStore store = KeyStore.getInstance(file.toFile(), password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read the truststore " + file + " (" + e.getMessage()
                    + "); expected a readable PKCS12 or JKS file and its password", e);
        }
    }

    @Override
    public String toString() {
        return "truststore " + file + " (password " + ValueType.HIDDEN + ")";
    }
}
