package pipeline.ops.soak;

import java.util.Map;

/**
 * One minute of a soak: the load's answers in it, then a sample of the stack at its end.
 *
 * @param minute     1, 2, …
 * @param requests   images sent (plus the feedback sent with them)
 * @param failed     answers other than 200/202, and transport errors
 * @param p50Millis  median latency of the minute's requests
 * @param p99Millis  99th percentile
 * @param processes  each process of the stack at the minute's end, by name
 * @param gcMillis   time the service JVMs spent in GC pauses during the minute, by service
 * @param gcMaxMillis the longest pause each service reports over its recent window, by service
 * @param lag        images the workers had yet to read at the minute's end
 * @param rounds     training rounds the trainer has run since it started
 */
record SoakMinute(int minute, long requests, long failed, double p50Millis, double p99Millis,
                  Map<String, StackProcesses.Sample> processes, Map<String, Double> gcMillis, Map<String, Double> gcMaxMillis,
                  double lag, double rounds) {
}
