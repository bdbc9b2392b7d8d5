package pipeline.ops.load;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class RoundWatchTest {

    @Test
    void readsTheGaugeFromAPrometheusExposition() {
        String exposition = """
                # HELP trainer_round_running 1 while a round fine-tunes and judges a candidate, else 0
                # TYPE trainer_round_running gauge
                trainer_round_running 1.0
                trainer_round_time_seconds_count 3.0
                """;

        assertThat(RoundWatch.gauge(exposition)).isEqualTo(1.0);
        assertThat(RoundWatch.gauge("trainer_round_time_seconds_count 3.0\n")).isZero();
    }

    @Test
    void tellsRequestsServedWhileARoundRanFromThoseBetweenRounds() throws Exception {
        AtomicBoolean running = new AtomicBoolean();
        HttpServer trainer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        trainer.createContext("/metrics", exchange -> {
            byte[] body = ("trainer_round_running " + (running.get() ? "1.0" : "0.0") + "\n").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        trainer.start();
        try (RoundWatch watch = new RoundWatch(URI.create("http://127.0.0.1:" + trainer.getAddress().getPort() + "/metrics"))) {
            long beforeTheRound = System.nanoTime();
            Thread.sleep(300);
            assertThat(watch.roundSince(beforeTheRound)).as("no round yet").isFalse();

            running.set(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!watch.roundSince(System.nanoTime()) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(watch.roundSince(System.nanoTime())).as("the round seen within 5 s").isTrue();
            running.set(false);
            Thread.sleep(300);
            long afterTheRound = System.nanoTime();
            Thread.sleep(300);

            assertThat(watch.roundSince(beforeTheRound)).as("a request in flight across the round").isTrue();
            assertThat(watch.roundSince(afterTheRound)).as("a request after it").isFalse();
            assertThat(watch.rounds()).isEqualTo(1);
            assertThat(watch.failure()).isNull();
        } finally {
            trainer.stop(0);
        }
    }
}
