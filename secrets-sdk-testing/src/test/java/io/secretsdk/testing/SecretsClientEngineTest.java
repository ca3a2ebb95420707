package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.metrics.MicrometerSecretsMetrics;
import io.secretsdk.metrics.SecretsMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class SecretsClientEngineTest {
  private static final SecretRef REF = SecretRef.parse("fake://openai/api");
  private static final String PATH = "openai/api";

  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor refreshes = new ManualExecutor();
  private final RecordingAuditSink audit = new RecordingAuditSink();
  private final List<SecretsClient> clients = new ArrayList<>();

  private final ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logs =
      new ch.qos.logback.core.read.ListAppender<>();

  @org.junit.jupiter.api.BeforeEach
  void captureLogs() {
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    logs.start();
    root.addAppender(logs);
  }

  @AfterEach
  void closeClientsAndCheckLogs() {
    clients.forEach(SecretsClient::close);
    ch.qos.logback.classic.Logger root = (ch.qos.logback.classic.Logger)
        org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    root.detachAppender(logs);
    StringBuilder all = new StringBuilder();
    for (ch.qos.logback.classic.spi.ILoggingEvent e : logs.list) {
      all.append(e.getFormattedMessage()).append('\n');
      if (e.getThrowableProxy() != null) {
        all.append(ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(e.getThrowableProxy()));
      }
    }
    Canary.assertAbsent(all.toString());
  }

  private SecretsClient.Builder builder() {
    return SecretsClient.builder()
        .provider(fake)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .refreshExecutor(refreshes)
        .auditSink(audit)
        .retry(3, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5));
  }

  private SecretsClient client(SecretsClient.Builder b) {
    SecretsClient c = b.build();
    clients.add(c);
    return c;
  }

  @Test
  void resolve_cachedRef_callsProviderOnceAndGivesEachCallerItsOwnCopy() {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder());

    Secret first = client.resolve(REF);
    Secret second = client.resolve(REF);
    first.close();

    assertThat(fake.calls(PATH)).isEqualTo(1);
    assertThat(second.reveal()).isEqualTo(Canary.VALUE);
    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);
    assertThat(audit.ofType(AuditEvent.Type.RESOLVE)).extracting(e -> e.cacheHit().orElseThrow())
        .containsExactly(false, true, true);
  }

  @Test
  void resolve_providerTtlAboveEnvironmentCap_isCappedByEnvironment() {
    fake.set(PATH, Canary.VALUE, Duration.ofHours(2));
    SecretsClient client = client(builder().environment(RunEnvironment.PROD));

    client.resolve(REF);
    ticker.advance(Duration.ofMinutes(5).minusSeconds(1));
    client.resolve(REF);
    assertThat(fake.calls(PATH)).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(2));
    client.resolve(REF);
    assertThat(fake.calls(PATH)).isEqualTo(2);
  }

  @Test
  void resolve_64ConcurrentColdMisses_makeOneProviderCall() throws Exception {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder());
    fake.block(1);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        results.add(pool.submit(() -> {
          start.await();
          try (Secret s = client.resolve(REF)) {
            return s.reveal();
          }
        }));
      }
      start.countDown();
      assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();
      fake.release();
      for (Future<String> f : results) {
        assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(Canary.VALUE);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(fake.calls(PATH)).isEqualTo(1);
  }

  @Test
  void resolve_missOnOtherRef_isNotBlockedBySlowMiss() throws Exception {
    fake.set(PATH, "slow-value");
    fake.set("other", "other-value");
    SecretsClient client = client(builder());
    fake.block(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<String> slow = pool.submit(() -> client.resolve(REF).reveal());
      Future<String> other = pool.submit(() -> client.resolve(SecretRef.parse("fake://other")).reveal());
      // both misses are inside the provider at once: the held one does not block the other
      assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();
      assertThat(fake.calls("other")).isEqualTo(1);
      assertThat(fake.calls(PATH)).isEqualTo(1);
      fake.release();
      assertThat(other.get(10, TimeUnit.SECONDS)).isEqualTo("other-value");
      assertThat(slow.get(10, TimeUnit.SECONDS)).isEqualTo("slow-value");
    } finally {
      fake.release();
      pool.shutdownNow();
    }
  }

  @Test
  void resolve_pastRefreshPoint_servesCurrentValueAndRefreshesInBackground() {
    fake.set(PATH, "v1", Duration.ofSeconds(100));
    SecretsClient client = client(builder().refreshAhead(0.75, 0.0));
    client.resolve(REF);
    fake.set(PATH, "v2", Duration.ofSeconds(100));

    ticker.advance(Duration.ofSeconds(76));
    assertThat(client.resolve(REF).reveal()).isEqualTo("v1");
    assertThat(refreshes.pending()).isEqualTo(1);
    assertThat(fake.calls(PATH)).isEqualTo(1);

    // more reads while the refresh is pending do not queue more refreshes
    client.resolve(REF);
    assertThat(refreshes.pending()).isEqualTo(1);

    refreshes.runAll();
    assertThat(client.resolve(REF).reveal()).isEqualTo("v2");
    assertThat(fake.calls(PATH)).isEqualTo(2);
  }

  @Test
  void resolve_hotRefWhileRefreshIsHeld_noReaderWaits() throws Exception {
    fake.set(PATH, Canary.VALUE, Duration.ofSeconds(100));
    ExecutorService refreshPool = Executors.newSingleThreadExecutor();
    ExecutorService readers = Executors.newFixedThreadPool(8);
    try {
      SecretsClient client = client(builder().refreshExecutor(refreshPool).refreshAhead(0.5, 0.0));
      client.resolve(REF);
      ticker.advance(Duration.ofSeconds(60));
      fake.block(1);
      client.resolve(REF); // starts the background refresh, which the gate holds
      assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();

      List<Future<Integer>> reads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        reads.add(readers.submit(() -> {
          int n = 0;
          for (int i = 0; i < 2_000; i++) {
            try (Secret s = client.resolve(REF)) {
              n += s.reveal().equals(Canary.VALUE) ? 1 : 0;
            }
          }
          return n;
        }));
      }
      // every reader finishes while the refresh is still held inside the provider
      for (Future<Integer> r : reads) {
        assertThat(r.get(20, TimeUnit.SECONDS)).isEqualTo(2_000);
      }
      assertThat(fake.calls(PATH)).isEqualTo(2);
      fake.release();
    } finally {
      fake.release();
      readers.shutdownNow();
      refreshPool.shutdownNow();
    }
  }

  @Test
  void resolve_providerDownLongerThanTtl_servesValueUntilTtlThenTypedError() {
    fake.set(PATH, Canary.VALUE, Duration.ofSeconds(60));
    SecretsClient client = client(builder().refreshAhead(0.75, 0.0));
    client.resolve(REF);
    fake.failAlways(PATH, ref -> new ProviderUnavailableException(ref, "connection refused"));

    ticker.advance(Duration.ofSeconds(50));
    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);
    refreshes.runAll(); // the background refresh fails
    ticker.advance(Duration.ofSeconds(9));
    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);

    ticker.advance(Duration.ofSeconds(2)); // past the TTL
    Throwable t = catchThrowable(() -> client.resolve(REF));
    assertThat(t).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("connection refused");
    Canary.assertAbsent(t);
    Canary.assertAbsent(audit.allText());
  }

  @Test
  void resolve_withMaxStale_servesStaleInsideWindowOnly() {
    fake.set(PATH, Canary.VALUE, Duration.ofSeconds(60));
    SecretsClient client = client(builder().maxStale(Duration.ofSeconds(30)));
    client.resolve(REF);
    fake.failAlways(PATH, ref -> new ProviderUnavailableException(ref, "503 sealed"));

    ticker.advance(Duration.ofSeconds(70));
    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);
    assertThat(audit.events).anyMatch(e -> e.outcome() == AuditEvent.Outcome.STALE);

    ticker.advance(Duration.ofSeconds(25));
    assertThatThrownBy(() -> client.resolve(REF)).isInstanceOf(ProviderUnavailableException.class);
  }

  @Test
  void resolve_retryAfter_isHonouredAndRetried() {
    fake.set(PATH, Canary.VALUE);
    List<Duration> waits = new CopyOnWriteArrayList<>();
    SecretsMetrics metrics = new SecretsMetrics() {
      @Override
      public void retried(String scheme, Duration wait) {
        waits.add(wait);
      }
    };
    fake.failNext(PATH, 1, ref -> new ProviderUnavailableException(ref, "429 too many requests",
        null, Duration.ofMillis(40)));
    SecretsClient client = client(builder().metrics(metrics));

    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);
    assertThat(fake.calls(PATH)).isEqualTo(2);
    assertThat(waits).containsExactly(Duration.ofMillis(40));
  }

  @Test
  void resolve_retryAfterLongerThanRetryBudget_failsWithoutWaiting() {
    fake.set(PATH, Canary.VALUE);
    fake.failNext(PATH, 1, ref -> new ProviderUnavailableException(ref, "429", null,
        Duration.ofHours(1)));
    SecretsClient client = client(builder());

    assertThatThrownBy(() -> client.resolve(REF)).isInstanceOf(ProviderUnavailableException.class);
    assertThat(fake.calls(PATH)).isEqualTo(1);
  }

  @Test
  void resolve_transientFailures_retriedUpToMaxAttempts() {
    fake.set(PATH, Canary.VALUE);
    fake.failAlways(PATH, ref -> new ProviderUnavailableException(ref, "reset"));
    SecretsClient client = client(builder());

    assertThatThrownBy(() -> client.resolve(REF)).isInstanceOf(ProviderUnavailableException.class);
    assertThat(fake.calls(PATH)).isEqualTo(3);
  }

  @Test
  void resolve_accessDenied_notRetriedAndNegativelyCached() {
    fake.set(PATH, Canary.VALUE);
    fake.failNext(PATH, 1, ref -> new SecretAccessDeniedException(ref, "403 permission denied"));
    SecretsClient client = client(builder().negativeTtl(Duration.ofSeconds(10)));

    Throwable first = catchThrowable(() -> client.resolve(REF));
    Throwable second = catchThrowable(() -> client.resolve(REF));
    assertThat(first).isInstanceOf(SecretAccessDeniedException.class);
    assertThat(second).isInstanceOf(SecretAccessDeniedException.class).isNotSameAs(first);
    assertThat(fake.calls(PATH)).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(11));
    assertThat(client.resolve(REF).reveal()).isEqualTo(Canary.VALUE);
    assertThat(fake.calls(PATH)).isEqualTo(2);
  }

  @Test
  void resolve_notFound_isTypedAndNotRetried() {
    SecretsClient client = client(builder());
    assertThatThrownBy(() -> client.resolve(REF)).isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining(REF.toString());
    assertThat(fake.calls(PATH)).isEqualTo(1);
  }

  @Test
  void refresh_seesRotation_firesListenerOnceAndKeepsOldVersionForGrace() throws Exception {
    fake.set(PATH, "old-key");
    SecretsClient client = client(builder().rotationGrace(Duration.ofHours(24)));
    List<SecretChangeEvent> events = new CopyOnWriteArrayList<>();
    AutoCloseable subscription = client.onChange(REF, events::add);
    client.resolve(REF);

    fake.set(PATH, "new-key");
    assertThat(client.refresh(REF).reveal()).isEqualTo("new-key");
    client.refresh(REF); // same version again: no second event

    assertThat(events).hasSize(1);
    assertThat(events.get(0).oldVersion()).contains("1");
    assertThat(events.get(0).newVersion()).contains("2");
    assertThat(events.get(0).toString()).doesNotContain("old-key").doesNotContain("new-key");
    assertThat(client.resolveAll(REF)).extracting(Secret::reveal).containsExactly("new-key", "old-key");

    // the entry stays in use (refreshed every 30 min) while the grace window runs out
    for (int i = 0; i < 50; i++) {
      ticker.advance(Duration.ofMinutes(30));
      client.refresh(REF);
    }
    fake.set(PATH, "newest-key");
    client.refresh(REF);
    assertThat(client.resolveAll(REF)).extracting(Secret::reveal)
        .containsExactly("newest-key", "new-key");
    assertThat(events).hasSize(2);
    subscription.close();
    fake.set(PATH, "after-unsubscribe");
    client.refresh(REF);
    assertThat(events).hasSize(2);
    assertThat(audit.ofType(AuditEvent.Type.ROTATION_SEEN)).hasSize(3);
  }

  @Test
  void onChange_listenerThrows_isIsolated() {
    fake.set(PATH, "v1");
    SecretsClient client = client(builder());
    AtomicInteger second = new AtomicInteger();
    client.onChange(REF, e -> {
      throw new IllegalStateException("listener bug " + Canary.VALUE);
    });
    client.onChange(REF, e -> second.incrementAndGet());
    client.resolve(REF);
    fake.set(PATH, "v2");

    assertThat(client.refresh(REF).reveal()).isEqualTo("v2");
    assertThat(second).hasValue(1);
  }

  @Test
  void revoke_dropsValueAndAudits() {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder());
    client.resolve(REF);

    client.revoke(REF);
    client.resolve(REF);

    assertThat(fake.calls(PATH)).isEqualTo(2);
    assertThat(audit.ofType(AuditEvent.Type.REVOKED)).hasSize(1);
    Canary.assertAbsent(audit.allText());
  }

  @Test
  void revoke_duringInFlightFetch_fetchedValueIsNotCached() throws Exception {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder());
    fake.block(1);
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<String> inFlight = pool.submit(() -> client.resolve(REF).reveal());
      assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();
      client.revoke(REF);
      fake.release();
      assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(Canary.VALUE);
    } finally {
      pool.shutdownNow();
    }
    client.resolve(REF);
    assertThat(fake.calls(PATH)).isEqualTo(2);
  }

  @Test
  void close_stopsRefreshThreadsClosesProvidersAndRefusesResolves() throws Exception {
    fake.set(PATH, Canary.VALUE, Duration.ofSeconds(10));
    SecretsClient client = SecretsClient.builder().provider(fake).ticker(ticker)
        .environment(RunEnvironment.LOCAL).auditSink(audit).refreshAhead(0.5, 0.0).build();
    client.resolve(REF);
    ticker.advance(Duration.ofSeconds(6));
    client.resolve(REF); // starts a refresh on the client's own thread
    client.close();

    assertThat(fake.isClosed()).isTrue();
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().startsWith("secrets-sdk-refresh") && t.isAlive()
            && !t.getState().equals(Thread.State.TERMINATED));
    assertThatThrownBy(() -> client.resolve(REF)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void warmUp_usesProviderBatchFetch_andReportsEachFailure() {
    AtomicInteger batches = new AtomicInteger();
    AtomicInteger singles = new AtomicInteger();
    io.secretsdk.spi.SecretProvider batching = new io.secretsdk.spi.SecretProvider() {
      @Override
      public String scheme() {
        return "batch";
      }

      @Override
      public io.secretsdk.spi.FetchResult fetch(SecretRef ref, io.secretsdk.spi.FetchContext c) {
        singles.incrementAndGet();
        return io.secretsdk.spi.FetchResult.builder(("value-of-" + ref.path()).getBytes(
            java.nio.charset.StandardCharsets.UTF_8)).build();
      }

      @Override
      public java.util.Map<SecretRef, io.secretsdk.spi.FetchOutcome> fetchAll(
          java.util.Collection<SecretRef> refs, io.secretsdk.spi.FetchContext c) {
        batches.incrementAndGet();
        java.util.Map<SecretRef, io.secretsdk.spi.FetchOutcome> out = new java.util.LinkedHashMap<>();
        for (SecretRef r : refs) {
          out.put(r, r.path().equals("missing")
              ? io.secretsdk.spi.FetchOutcome.failure(new SecretNotFoundException(r, "no " + r))
              : io.secretsdk.spi.FetchOutcome.success(io.secretsdk.spi.FetchResult.builder(
                  ("value-of-" + r.path()).getBytes(java.nio.charset.StandardCharsets.UTF_8)).build()));
        }
        return out;
      }
    };
    SecretsClient client = client(SecretsClient.builder().provider(batching).ticker(ticker)
        .environment(RunEnvironment.LOCAL).auditSink(audit));

    var failures = client.warmUp(List.of(SecretRef.parse("batch://a"), SecretRef.parse("batch://b"),
        SecretRef.parse("batch://missing"), SecretRef.parse("nosuch://x")));

    assertThat(batches).hasValue(1);
    assertThat(failures).containsOnlyKeys(SecretRef.parse("batch://missing"), SecretRef.parse("nosuch://x"));
    assertThat(failures.get(SecretRef.parse("batch://missing"))).isInstanceOf(SecretNotFoundException.class);
    assertThat(client.resolve("batch://a").reveal()).isEqualTo("value-of-a");
    assertThat(client.resolve("batch://b").reveal()).isEqualTo("value-of-b");
    assertThat(singles).hasValue(0);
    assertThatThrownBy(() -> client.resolve("batch://missing")).isInstanceOf(SecretNotFoundException.class);
    assertThat(singles).hasValue(0); // remembered from the batch
  }

  @Test
  void resolve_registersValueWithRedactionIndex_beforeReturning() {
    fake.set(PATH, Canary.VALUE);
    io.secretsdk.redact.RedactionIndex index = io.secretsdk.redact.RedactionIndex.create();
    SecretsClient client = client(builder().redactionIndex(index));
    assertThat(index.redact("token=" + Canary.VALUE)).contains(Canary.VALUE);

    client.resolve(REF).close();

    assertThat(index.redact("token=" + Canary.VALUE)).isEqualTo("token=[REDACTED:fake://openai/api]");
    String b64 = java.util.Base64.getEncoder().encodeToString(
        Canary.VALUE.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(index.redact("auth " + b64)).doesNotContain(b64);
    client.revoke(REF);
    assertThat(index.redact(Canary.VALUE)).doesNotContain(Canary.VALUE); // stays masked
  }

  @Test
  void resolve_unknownScheme_typedErrorNamingScheme() {
    SecretsClient client = client(builder());
    assertThatThrownBy(() -> client.resolve("vault://secret/x"))
        .isInstanceOf(InvalidSecretRefException.class)
        .hasMessageContaining("'vault'");
  }

  @Test
  void resolve_alias_routesToProvider() {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder().alias("kv", "fake"));
    assertThat(client.resolve("kv://openai/api").reveal()).isEqualTo(Canary.VALUE);
  }

  @Test
  void resolve_providerThrowsUnexpectedExceptionWithValue_messageWithheld() {
    FakeSecretProvider broken = FakeSecretProvider.create("broken") ;
    SecretsClient client = client(SecretsClient.builder().provider(new io.secretsdk.spi.SecretProvider() {
      @Override
      public String scheme() {
        return "broken";
      }

      @Override
      public io.secretsdk.spi.FetchResult fetch(SecretRef ref, io.secretsdk.spi.FetchContext c) {
        throw new IllegalArgumentException("could not parse " + Canary.VALUE);
      }
    }).ticker(ticker).auditSink(audit).retry(2, Duration.ofMillis(1), Duration.ofMillis(1),
        Duration.ofSeconds(1)));
    broken.close();

    Throwable t = catchThrowable(() -> client.resolve("broken://x"));
    assertThat(t).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("IllegalArgumentException");
    Canary.assertAbsent(t);
    Canary.assertAbsent(audit.allText());
  }

  @Test
  void audit_everyPath_carriesNoValueAndFingerprintIsKeyed() {
    fake.set(PATH, Canary.VALUE);
    SecretsClient client = client(builder().principal("runner-7").justification("JIRA-1")
        .auditFingerprintKey(new byte[32]));
    client.resolve(REF);
    client.resolve(REF);
    client.refresh(REF);
    client.invalidate(REF);
    fake.delete(PATH);
    catchThrowable(() -> client.resolve(REF));

    assertThat(audit.events).isNotEmpty();
    AuditEvent first = audit.events.get(0);
    assertThat(first.principal()).contains("runner-7");
    assertThat(first.justification()).contains("JIRA-1");
    assertThat(first.fingerprint()).hasValueSatisfying(f -> assertThat(f).startsWith("hmac-sha256:"));
    assertThat(audit.lines.get(0)).contains("\"event\":\"resolve\"").contains("\"cache_hit\":false")
        .contains("\"ref\":\"fake://openai/api\"");
    assertThat(audit.events).anyMatch(e -> e.outcome() == AuditEvent.Outcome.NOT_FOUND);
    Canary.assertAbsent(audit.allText());
  }

  @Test
  void metrics_micrometer_countsHitsAndMissesTaggedBySchemeOnly() {
    fake.set(PATH, Canary.VALUE);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    SecretsClient client = client(builder().metrics(MicrometerSecretsMetrics.of(registry)));
    client.resolve(REF);
    client.resolve(REF);
    client.resolve(REF);

    assertThat(registry.get("secrets.resolve").tag("cache", "hit").counter().count()).isEqualTo(2.0);
    assertThat(registry.get("secrets.resolve").tag("cache", "miss").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("secrets.fetch").timer().count()).isEqualTo(1);
    assertThat(registry.get("secrets.cache.size").gauge().value()).isEqualTo(1.0);
    assertThat(registry.getMeters()).allSatisfy(m -> assertThat(m.getId().getTags().toString())
        .doesNotContain("openai"));
  }

  @Test
  void resolve_manyThreadsWhileValueRotatesAndProviderFlaps_everyValueIsAKnownVersion()
      throws Exception {
    fake.set(PATH, "value-1", Duration.ofSeconds(10));
    ExecutorService refreshPool = Executors.newFixedThreadPool(2);
    ExecutorService readers = Executors.newFixedThreadPool(8);
    try {
      SecretsClient client = client(builder().refreshExecutor(refreshPool));
      List<Future<Integer>> reads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        reads.add(readers.submit(() -> {
          int ok = 0;
          for (int i = 0; i < 3_000; i++) {
            try (Secret s = client.resolve(REF)) {
              ok += s.reveal().startsWith("value-") ? 1 : 0;
            } catch (ProviderUnavailableException flap) {
              ok++; // allowed only once the TTL is over; the provider flaps below
            }
          }
          return ok;
        }));
      }
      for (int v = 2; v <= 20; v++) {
        fake.set(PATH, "value-" + v, Duration.ofSeconds(10));
        if (v % 3 == 0) {
          fake.failNext(PATH, 2, ref -> new ProviderUnavailableException(ref, "flap"));
        }
        ticker.advance(Duration.ofSeconds(8));
        client.invalidate(v % 5 == 0 ? REF : SecretRef.parse("fake://unrelated"));
      }
      for (Future<Integer> r : reads) {
        assertThat(r.get(20, TimeUnit.SECONDS)).isEqualTo(3_000);
      }
    } finally {
      readers.shutdownNow();
      refreshPool.shutdownNow();
    }
  }
}
