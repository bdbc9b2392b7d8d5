/**
 * One settings convention for every service: defaults in code, overridden by a properties file,
 * overridden by environment variables {@code PIPELINE_…}. A setting's key is {@code scope.name}
 * (for example {@code worker.max-batch}); its environment variable is the key upper-cased with
 * dots and dashes turned into underscores ({@code PIPELINE_WORKER_MAX_BATCH}). An unknown key in a
 * scope the service reads, an unknown scope, or a value that does not parse fails at start with a
 * message naming the key, where it came from and the expected form.
 */
package pipeline.config;
