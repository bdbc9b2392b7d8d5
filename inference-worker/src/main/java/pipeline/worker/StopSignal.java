package pipeline.worker;

import org.apache.kafka.clients.consumer.Consumer;

/** Asks a polling loop on another thread to stop: clears the flag and wakes its consumer out of {@code poll}. */
final class StopSignal {

    private volatile boolean running = true;
    private volatile Consumer<?, ?> consumer;

    /** The consumer to wake on {@link #stop()}; call from the loop's thread once it has one. */
    void watch(Consumer<?, ?> polling) {
        this.consumer = polling;
        if (!running) {
            polling.wakeup();
        }
    }

    boolean running() {
        return running;
    }

    void stop() {
        running = false;
        Consumer<?, ?> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }
}
