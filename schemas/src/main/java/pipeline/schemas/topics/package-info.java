/** The topics of the system in one place (names, partitions, configs, record types) and the provisioner that creates them. */
package pipeline.schemas.topics;
