package io.secretsdk.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@link SecretsMetrics} on Micrometer (an optional dependency: add {@code micrometer-core}).
 *
 * <p>Meters (Prometheus names in brackets):
 * <ul>
 *   <li>{@code secrets.resolve} [{@code secrets_resolve_total}] counter; tags {@code scheme},
 *       {@code cache} = {@code hit}|{@code miss}, {@code outcome}: the cache hit rate is
 *       {@code cache="hit"} over all;
 *   <li>{@code secrets.fetch} [{@code secrets_fetch_seconds}] timer of provider calls; tags
 *       {@code scheme}, {@code success}; a percentile histogram with a bucket at
 *       {@link #FETCH_SLO} (the standard's p95 objective);
 *   <li>{@code secrets.fetch.retries}, {@code secrets.refresh.failures},
 *       {@code secrets.rotations.seen}, {@code secrets.stale.served} counters; tag {@code scheme};
 *   <li>{@code secrets.since.last.refresh} [{@code secrets_since_last_refresh_seconds}] gauge per
 *       scheme: time since a value of that scheme was last fetched and installed; registered at
 *       the scheme's first success;
 *   <li>{@code secrets.cache.size} gauge.
 * </ul>
 * No meter is tagged with a ref (paths can name customers or systems), a version or a value.
 *
 * <p>Thread-safe.
 */
public final class MicrometerSecretsMetrics implements SecretsMetrics {
  /** The latency objective that {@code secrets.fetch} has a histogram bucket at: {@value} ms. */
  public static final long FETCH_SLO_MILLIS = 150;
  /** {@link #FETCH_SLO_MILLIS} as a duration. */
  public static final Duration FETCH_SLO = Duration.ofMillis(FETCH_SLO_MILLIS);

  private final MeterRegistry registry;
  /** Per scheme, the registry clock's monotonic time of the last successful refresh. */
  private final Map<String, AtomicLong> lastRefresh = new ConcurrentHashMap<>();

  private MicrometerSecretsMetrics(MeterRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /** Metrics recorded into {@code registry}. */
  public static MicrometerSecretsMetrics of(MeterRegistry registry) {
    return new MicrometerSecretsMetrics(registry);
  }

  @Override
  public void resolved(String scheme, boolean cacheHit, String outcome) {
    Counter.builder("secrets.resolve")
        .description("resolves, by cache hit or miss and outcome")
        .tag("scheme", scheme)
        .tag("cache", cacheHit ? "hit" : "miss")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  @Override
  public void fetched(String scheme, long nanos, boolean success) {
    Timer.builder("secrets.fetch")
        .description("provider calls")
        .tag("scheme", scheme)
        .tag("success", Boolean.toString(success))
        .publishPercentileHistogram()
        .serviceLevelObjectives(FETCH_SLO)
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void retried(String scheme, Duration wait) {
    count("secrets.fetch.retries", "provider calls retried after a transient failure", scheme);
  }

  @Override
  public void refreshFailed(String scheme) {
    count("secrets.refresh.failures", "refreshes that failed (the old value is kept while valid)", scheme);
  }

  @Override
  public void refreshSucceeded(String scheme) {
    AtomicLong last = lastRefresh.computeIfAbsent(scheme, s -> {
      AtomicLong at = new AtomicLong(registry.config().clock().monotonicTime());
      TimeGauge.builder("secrets.since.last.refresh", at, TimeUnit.NANOSECONDS,
              a -> registry.config().clock().monotonicTime() - a.get())
          .description("time since a value of this scheme was last fetched and installed")
          .tag("scheme", s)
          .strongReference(true)
          .register(registry);
      return at;
    });
    last.set(registry.config().clock().monotonicTime());
  }

  @Override
  public void rotationSeen(String scheme) {
    count("secrets.rotations.seen", "new versions seen by a fetch", scheme);
  }

  @Override
  public void staleServed(String scheme) {
    count("secrets.stale.served", "values served past their TTL inside the stale window", scheme);
  }

  @Override
  public void bindCacheSize(LongSupplier size) {
    Gauge.builder("secrets.cache.size", size, s -> (double) s.getAsLong())
        .description("cached entries")
        .strongReference(true)
        .register(registry);
  }

  private void count(String name, String description, String scheme) {
    Counter.builder(name).description(description).tag("scheme", scheme).register(registry).increment();
  }

  @Override
  public String toString() {
    return "MicrometerSecretsMetrics[" + registry.getClass().getSimpleName() + "]";
  }
}
