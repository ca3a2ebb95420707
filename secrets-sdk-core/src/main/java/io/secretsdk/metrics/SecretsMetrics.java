package io.secretsdk.metrics;

/**
 * Receives the client's measurements. Tags are the provider scheme and an outcome, never a raw ref
 * (paths can name customers or systems). {@link MicrometerSecretsMetrics} adapts this to
 * Micrometer when it is on the classpath.
 *
 * <p>Called on hot paths: implementations must be thread-safe, fast and must not throw.
 */
public interface SecretsMetrics {

  /** A resolve completed: {@code outcome} is a lower-case audit outcome ({@code success}, …). */
  default void resolved(String scheme, boolean cacheHit, String outcome) {}

  /** One provider call completed, successfully or not, after {@code nanos}. */
  default void fetched(String scheme, long nanos, boolean success) {}

  /** A transient failure is retried after {@code wait}. */
  default void retried(String scheme, java.time.Duration wait) {}

  /** A background refresh failed (the old value is still served while valid). */
  default void refreshFailed(String scheme) {}

  /**
   * A value was fetched from the provider and installed: a load on a miss, a background refresh
   * or an explicit {@code refresh}. Feeds "time since the last successful refresh" per scheme.
   */
  default void refreshSucceeded(String scheme) {}

  /** A fetch saw a new version of a value the client held (change listeners are told next). */
  default void rotationSeen(String scheme) {}

  /** A value past its TTL was served inside the configured stale window. */
  default void staleServed(String scheme) {}

  /** Called once at build with a gauge source for the number of cached entries. */
  default void bindCacheSize(java.util.function.LongSupplier size) {}

  /** Metrics that record nothing. */
  static SecretsMetrics none() {
    return new SecretsMetrics() {};
  }
}
