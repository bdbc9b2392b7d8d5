/**
 * A client for the Confluent Schema Registry REST API ({@code /subjects/...}, {@code /schemas/ids/...},
 * {@code /config/...}, {@code /compatibility/...}), written against the API rather than Confluent's
 * jars, which are not on Maven Central. Works against Confluent Schema Registry, Apicurio
 * ({@code /apis/ccompat/v7}), Karapace and Redpanda.
 */
package pipeline.schemas.registry;
