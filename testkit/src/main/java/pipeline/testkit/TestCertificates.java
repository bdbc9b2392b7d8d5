package pipeline.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import pipeline.infra.ChildProcess;

/**
 * A test certificate authority and one server certificate it signed for {@code 127.0.0.1} and
 * {@code localhost}, made with the JDK's {@code keytool} as an operator would, once per JVM:
 *
 * <pre>
 * dir/
 *   ca.p12          the CA's key pair (PKCS12)
 *   ca.pem          the CA's certificate
 *   server.p12      the server's key, its certificate and the CA's: the keystore a broker or registry serves with
 *   truststore.p12  the CA's certificate alone: what clients trust
 * </pre>
 *
 * @param password of every store and key
 */
public record TestCertificates(Path dir, String password) {

    private static TestCertificates shared;

    /** The JVM's certificates, made on first use (about 3 s of keytool runs). */
    public static synchronized TestCertificates shared() {
        if (shared == null) {
            try {
                shared = make(Files.createTempDirectory("test-ca"), "test-ca-password");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot make a folder for the test CA", e);
            }
        }
        return shared;
    }

    public Path serverKeystore() {
        return dir.resolve("server.p12");
    }

    public Path truststore() {
        return dir.resolve("truststore.p12");
    }

    private static TestCertificates make(Path dir, String password) {
        String ca = dir.resolve("ca.p12").toString();
        String server = dir.resolve("server.p12").toString();
        String caPem = dir.resolve("ca.pem").toString();
        String request = dir.resolve("server.csr").toString();
        String signed = dir.resolve("server.pem").toString();
        keytool(dir, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=pipeline test CA", "-ext", "bc:c", "-keystore", ca, "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-file", caPem);
        keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "30",
                "-dname", "CN=localhost", "-keystore", server, "-storetype", "PKCS12", "-storepass", password);
        keytool(dir, "-certreq", "-alias", "server", "-keystore", server, "-storepass", password, "-file", request);
        keytool(dir, "-gencert", "-rfc", "-alias", "ca", "-keystore", ca, "-storepass", password, "-infile", request,
                "-outfile", signed, "-validity", "30", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-ext", "EKU=serverAuth");
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", server, "-storepass", password);
        keytool(dir, "-importcert", "-alias", "server", "-file", signed, "-keystore", server, "-storepass", password);
        keytool(dir, "-importcert", "-noprompt", "-alias", "ca", "-file", caPem, "-keystore", dir.resolve("truststore.p12").toString(),
                "-storetype", "PKCS12", "-storepass", password);
        return new TestCertificates(dir, password);
    }

    private static void keytool(Path dir, String... args) {
        Path java = Path.of(ChildProcess.javaExecutable());
        List<String> command = new ArrayList<>(List.of(java.resolveSibling("keytool").toString()));
        command.addAll(List.of(args));
        Path log = dir.resolve("keytool.log");
        int exit = ChildProcess.start("keytool " + args[0], command, dir, log).waitFor(Duration.ofMinutes(1));
        if (exit != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed with exit code " + exit + "; see " + log);
        }
    }
}
