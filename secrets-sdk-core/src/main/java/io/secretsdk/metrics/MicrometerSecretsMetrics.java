package io.secretsdk.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@link SecretsMetrics} on Micrometer (an optional dependency: add {@code micrometer-core}).
 *
 * <p>Meters: {@code secrets.resolve} (counter; tags {@code scheme}, {@code cache} = hit|miss,
 * {@code outcome}), {@code secrets.fetch} (timer; {@code scheme}, {@code success}),
 * {@code secrets.refresh.failures} and {@code secrets.stale.served} (counters; {@code scheme}),
 * {@code secrets.cache.size} (gauge). No meter is tagged with a ref. Thread-safe.
 */
public final class MicrometerSecretsMetrics implements SecretsMetrics {
  private final MeterRegistry registry;

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
        .tag("scheme", scheme)
        .tag("cache", cacheHit ? "hit" : "miss")
        .tag("outcome", outcome)
        .register(registry)
        .increment();
  }

  @Override
  public void fetched(String scheme, long nanos, boolean success) {
    Timer.builder("secrets.fetch")
        .tag("scheme", scheme)
        .tag("success", Boolean.toString(success))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void refreshFailed(String scheme) {
    Counter.builder("secrets.refresh.failures").tag("scheme", scheme).register(registry).increment();
  }

  @Override
  public void staleServed(String scheme) {
    Counter.builder("secrets.stale.served").tag("scheme", scheme).register(registry).increment();
  }

  @Override
  public void bindCacheSize(LongSupplier size) {
    Gauge.builder("secrets.cache.size", size, s -> (double) s.getAsLong())
        .strongReference(true)
        .register(registry);
  }
}
