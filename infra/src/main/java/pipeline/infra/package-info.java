/**
 * Real infrastructure from Maven Central artifacts, run as child processes bound to 127.0.0.1:
 * an Apache Kafka broker in KRaft mode and Apicurio Registry. Used by the local stack and by tests.
 * Children die with their parent: stopped cleanly on {@code close()}, and sent SIGTERM by the
 * kernel (via {@code setpriv --pdeathsig}) if the parent is killed outright.
 */
package pipeline.infra;
