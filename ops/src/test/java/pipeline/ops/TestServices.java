package pipeline.ops;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import pipeline.gateway.GatewayMain;
import pipeline.infra.ChildProcess;
import pipeline.infra.Ports;
import pipeline.trainer.TrainerMain;
import pipeline.worker.WorkerMain;

/**
 * Services a test starts as processes of their own, as a team runs the jars on its cluster: each with
 * its settings as {@code PIPELINE_…} variables, on a free HTTP port, its log in the test's folder.
 * {@link #close} stops those still running.
 */
final class TestServices implements AutoCloseable {

    static final Duration START = Duration.ofMinutes(2);

    /** A running service ({@code spec} as started) and where it answers. */
    record Service(ServiceProcess spec, ChildProcess process, URI http) {
        void awaitReady() {
            process.awaitReady(spec::ready, START, "answer " + spec.readyUrl());
        }
    }
    private static final Map<Class<?>, String> PORT_SETTING = Map.of(GatewayMain.class, "PIPELINE_GATEWAY_PORT",
            WorkerMain.class, "PIPELINE_WORKER_HTTP_PORT", TrainerMain.class, "PIPELINE_TRAINER_HTTP_PORT");

    private final Path dir;
    private final List<Service> started = new ArrayList<>();

    TestServices(Path dir) {
        this.dir = dir;
    }

    /** Starts {@code main} (the gateway's, a worker's or the trainer's) as {@code name} with {@code env}, without waiting for it. */
    Service start(String name, Class<?> main, Map<String, String> env) {
        int port = Ports.anyFree();
        Map<String, String> all = new HashMap<>(env);
        all.put(PORT_SETTING.get(main), Integer.toString(port));
        URI http = URI.create("http://127.0.0.1:" + port);
        ServiceProcess spec = new ServiceProcess(name, main.getName(), "512m", all, http.resolve("/ready"), dir.resolve(name + ".log"));
        Service service = new Service(spec, spec.start(dir), http);
        started.add(service);
        return service;
    }

    /** {@code own} over {@code common}: one service's settings beside those every service shares. */
    static Map<String, String> with(Map<String, String> common, Map<String, String> own) {
        Map<String, String> all = new HashMap<>(common);
        all.putAll(own);
        return all;
    }

    @Override
    public void close() {
        started.parallelStream().forEach(service -> service.process().stop(Duration.ofSeconds(30)));
    }
}
