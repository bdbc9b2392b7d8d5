package pipeline.infra;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.common.Uuid;

/**
 * A Kafka cluster of several nodes on loopback, each broker and controller of one KRaft quorum, each
 * a process of its own with its data in {@code dir/node-N}: a cluster whose nodes can be killed,
 * stopped and started again while clients use it. Nodes are numbered from 1; each keeps its ports
 * across restarts, as the static quorum names them.
 */
public final class KafkaCluster implements AutoCloseable {

    private final Path dir;
    private final int[] ports;
    private final int[] controllerPorts;
    private final List<KafkaBroker.Membership> members;
    private final KafkaBroker[] nodes;

    private KafkaCluster(Path dir, int[] ports, int[] controllerPorts, List<KafkaBroker.Membership> members) {
        this.dir = dir;
        this.ports = ports;
        this.controllerPorts = controllerPorts;
        this.members = members;
        this.nodes = new KafkaBroker[ports.length];
    }

    /**
     * Starts {@code size} nodes that keep {@code size} copies of every partition (at most 3), of which two must be
     * in sync for a write; returns once every node answers.
     */
    public static KafkaCluster start(Path dir, int size, Duration timeout) {
        int[] ports = IntStream.range(0, size).map(i -> Ports.anyFree()).toArray();
        int[] controllerPorts = IntStream.range(0, size).map(i -> Ports.anyFree()).toArray();
        String voters = IntStream.range(0, size).mapToObj(i -> (i + 1) + "@" + Ports.LOOPBACK + ":" + controllerPorts[i])
                .collect(Collectors.joining(","));
        String clusterId = Uuid.randomUuid().toString();
        List<KafkaBroker.Membership> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new KafkaBroker.Membership(i + 1, voters, clusterId, Math.min(3, size)));
        }
        KafkaCluster cluster = new KafkaCluster(dir.toAbsolutePath(), ports, controllerPorts, members);
        try {
            for (int node = 1; node <= size; node++) {
                cluster.launch(node);
            }
            for (KafkaBroker node : cluster.nodes) {
                node.awaitReady(timeout);
            }
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** Every node's client listener, {@code 127.0.0.1:p1,127.0.0.1:p2,…}. */
    public String bootstrapServers() {
        return IntStream.of(ports).mapToObj(port -> Ports.LOOPBACK + ":" + port).collect(Collectors.joining(","));
    }

    public int size() {
        return nodes.length;
    }

    /** SIGKILL to node {@code id}: a crash. */
    public void kill(int id) {
        nodes[id - 1].kill();
    }

    /** A controlled shutdown of node {@code id}: SIGTERM, its partitions' leadership moves first. */
    public void stop(int id) {
        nodes[id - 1].close();
    }

    /** Starts node {@code id} again on its data and ports; returns once it answers. */
    public void restart(int id, Duration timeout) {
        launch(id).awaitReady(timeout);
    }

    public boolean isRunning(int id) {
        return nodes[id - 1] != null && nodes[id - 1].isAlive();
    }

    /** Kills every node: a cluster that is thrown away needs no controlled shutdown, which waits for a quorum the last nodes lack. */
    @Override
    public void close() {
        for (KafkaBroker node : nodes) {
            if (node != null) {
                node.kill();
            }
        }
    }

    private KafkaBroker launch(int id) {
        nodes[id - 1] = KafkaBroker.launch(dir.resolve("node-" + id), ports[id - 1], controllerPorts[id - 1], members.get(id - 1));
        return nodes[id - 1];
    }
}
