package io.secretsdk.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.MockClock;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.metrics.MicrometerSecretsMetrics;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.testing.FakeSecretProvider;
import io.secretsdk.testing.FakeTicker;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The standard's metrics, recorded by the engine through MicrometerSecretsMetrics and scraped. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SecretsMetricsPrometheusTest {
  private final String canary = "canary-" + UUID.randomUUID();
  private final String path = "customer-" + UUID.randomUUID() + "/db";
  private final SecretRef ref = SecretRef.parse("fake://" + path);
  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final MockClock clock = new MockClock();
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(), clock);
  private final SecretsClient client = SecretsClient.builder()
      .provider(fake)
      .ticker(ticker)
      .keepWarm(0) // refreshes only on reads: the counts asserted are the ones the test causes
      .refreshExecutor(Runnable::run)
      .retry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofMillis(1))
      .redactionIndex(RedactionIndex.create())
      .metrics(MicrometerSecretsMetrics.of(registry))
      .build();

  @AfterEach
  void tearDown() {
    client.close();
    registry.close();
  }

  private double counter(String name) {
    return registry.get(name).tag("scheme", "fake").counter().count();
  }

  @Test
  void hitsMisses_fetchHistogram_refreshFailures_rotations_sinceLastRefresh_allScraped_noRefNoValue() {
    fake.set(path, canary, Duration.ofSeconds(100));
    client.resolve(ref).close();                      // miss: one fetch
    client.resolve(ref).close();                      // hit
    client.resolve(ref).close();                      // hit
    ticker.advance(Duration.ofSeconds(90));
    fake.failNext(path, 1, r -> new ProviderUnavailableException(r, "down " + canary));
    client.resolve(ref).close();                      // hit; its background refresh fails
    fake.set(path, canary + "-v2", Duration.ofSeconds(100));
    clock.add(Duration.ofSeconds(7));
    assertThat(registry.get("secrets.since.last.refresh").tag("scheme", "fake").timeGauge()
        .value(TimeUnit.SECONDS)).isEqualTo(7.0);
    client.refresh(ref).close();                      // a new version: rotation seen
    fake.failNext(path, 1, r -> new ProviderUnavailableException(r, "down again"));
    assertThatThrownBy(() -> client.refresh(ref)).isInstanceOf(ProviderUnavailableException.class);

    assertThat(registry.get("secrets.resolve").tag("cache", "hit").counter().count()).isEqualTo(3.0);
    assertThat(registry.get("secrets.resolve").tag("cache", "miss").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("secrets.fetch").timers()).extracting(t -> t.count()).contains(2L, 2L);
    assertThat(counter("secrets.refresh.failures")).isEqualTo(2.0);
    assertThat(counter("secrets.rotations.seen")).isEqualTo(1.0);
    assertThat(registry.get("secrets.since.last.refresh").tag("scheme", "fake").timeGauge()
        .value(TimeUnit.SECONDS)).isZero();
    clock.add(Duration.ofSeconds(3));
    assertThat(registry.get("secrets.since.last.refresh").timeGauge().value(TimeUnit.SECONDS)).isEqualTo(3.0);

    String scrape = registry.scrape();
    assertThat(scrape).contains(
        "secrets_resolve_total{cache=\"hit\",outcome=\"success\",scheme=\"fake\"} 3.0",
        "secrets_fetch_seconds_bucket{",
        "le=\"0.15\"",
        "secrets_fetch_seconds_count{scheme=\"fake\",success=\"true\"} 2",
        "secrets_refresh_failures_total{scheme=\"fake\"} 2.0",
        "secrets_rotations_seen_total{scheme=\"fake\"} 1.0",
        "secrets_since_last_refresh_seconds{scheme=\"fake\"} 3.0",
        "secrets_cache_size");
    assertThat(scrape).doesNotContain(canary).doesNotContain(path).doesNotContain("customer-");
  }

  @Test
  void sinceLastRefresh_isOneGaugePerScheme_notPerRef() {
    for (int i = 0; i < 20; i++) {
      fake.set(path + i, canary + i);
      client.resolve(SecretRef.parse("fake://" + path + i)).close();
    }
    assertThat(registry.find("secrets.since.last.refresh").timeGauges()).hasSize(1);
    assertThat(registry.find("secrets.resolve").counters()).hasSize(1);
    assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags().toString())
        .doesNotContain(path).doesNotContain(canary));
  }
}
