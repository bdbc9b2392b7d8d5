package pipeline.infra;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Loopback port checks, so a taken port is reported before a child process fails on it. */
public final class Ports {

    public static final String LOOPBACK = "127.0.0.1";

    private Ports() {
    }

    /**
     * Fails with one line naming the port, who needs it and how to choose another.
     *
     * @param who  e.g. "the Kafka broker"
     * @param hint e.g. "set PIPELINE_KAFKA_PORT to a free port"
     */
    public static void requireFree(int port, String who, String hint) {
        if (!isFree(port)) {
            throw new InfraException(LOOPBACK + ":" + port + " is already in use; " + who + " needs it. "
                    + "Stop what is listening there, or " + hint + ".");
        }
    }

    private static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // As servers do: a port with only TIME_WAIT connections left is free to them.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether something accepts TCP connections on the loopback port. */
    public static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getByName(LOOPBACK), port), 1000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** A port that was free a moment ago. */
    public static int anyFree() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new InfraException("No free port on " + LOOPBACK + ": " + e.getMessage(), e);
        }
    }
}
