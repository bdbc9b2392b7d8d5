/**
 * The gateway: the HTTP API that takes images and labels into Kafka and serves predictions and models.
 */
package pipeline.gateway;
