package pipeline.testkit;

/** A running Confluent-compatible schema registry (Apicurio) for tests, shared by the tests of one JVM. */
public interface TestRegistry {

    /** The Confluent REST API base, e.g. {@code http://127.0.0.1:41234/apis/ccompat/v7}. */
    String url();
}
