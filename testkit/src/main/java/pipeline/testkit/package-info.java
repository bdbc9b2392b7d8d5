/**
 * Test fixtures for every module: a real Kafka broker and a real schema registry, started once per
 * test JVM and shared by its tests. Use {@code @ExtendWith(RealInfrastructure.class)} and take a
 * {@link pipeline.testkit.TestKafka} or {@link pipeline.testkit.TestRegistry} as a test parameter.
 */
package pipeline.testkit;
