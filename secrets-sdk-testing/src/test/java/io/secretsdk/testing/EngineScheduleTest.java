package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.GraceEndingEvent;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.event.SecretChangeListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The client's own schedule, on a fake ticker: refs read recently stay warm without a reader,
 * refs nobody reads stop being refreshed and are wiped at expiry, previous versions stay
 * resolvable for the whole grace window across evictions with a warning before it ends, and
 * retry waits follow the client's ticker.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class EngineScheduleTest {
  private static final Duration TTL = Duration.ofMinutes(1);
  private static final SecretRef A = SecretRef.parse("fake://team/a");
  private static final SecretRef B = SecretRef.parse("fake://team/b");

  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor refreshes = new ManualExecutor();
  private final RecordingAuditSink audit = new RecordingAuditSink();
  private final List<SecretsClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(SecretsClient::close);
  }

  private SecretsClient.Builder builder() {
    return SecretsClient.builder()
        .provider(fake)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .refreshExecutor(refreshes)
        .auditSink(audit)
        .defaultTtl(TTL)
        .refreshAhead(0.5, 0.0)
        .maintenanceInterval(Duration.ofMillis(1));
  }

  private SecretsClient client(SecretsClient.Builder b) {
    SecretsClient c = b.build();
    clients.add(c);
    return c;
  }

  private static String value() {
    return "v-" + UUID.randomUUID();
  }

  /** Waits (bounded by the class timeout) until the schedule has done what {@code done} says. */
  private void awaitSchedule(BooleanSupplier done) throws InterruptedException {
    while (!done.getAsBoolean()) {
      refreshes.runAll();
      Thread.sleep(2);
    }
  }

  @Test
  void aRefReadOnceIsRefreshedAheadOfExpiryWithoutAReader() throws Exception {
    fake.set("team/a", value());
    SecretsClient client = client(builder());
    client.resolve(A).close();
    assertThat(fake.calls("team/a")).isEqualTo(1);

    ticker.advance(Duration.ofSeconds(31)); // past the refresh point (half the TTL), no reader
    awaitSchedule(() -> fake.calls("team/a") == 2);

    ticker.advance(Duration.ofSeconds(45)); // past the first value's expiry
    try (Secret s = client.resolve(A)) {
      assertThat(s.reveal()).isNotEmpty();
    }
    assertThat(fake.calls("team/a")).as("the reader after the quiet period got a hit").isEqualTo(2);
    assertThat(audit.ofType(AuditEvent.Type.RESOLVE).get(1).cacheHit()).contains(true);
  }

  @Test
  void aRefNotReadForKeepWarmTtlsStopsBeingRefreshedAndIsWipedAtExpiry() throws Exception {
    fake.set("team/a", value());
    SecretsClient client = client(builder().keepWarm(2));
    client.resolve(A).close(); // read at t = 0; refreshed while within 2 TTLs (120 s) of it

    for (int expected = 2; expected <= 4; expected++) {
      ticker.advance(Duration.ofSeconds(30)); // t = 30, 60, 90: each value's refresh point
      int calls = expected;
      awaitSchedule(() -> fake.calls("team/a") == calls);
    }
    ticker.advance(Duration.ofSeconds(30)); // t = 120: due again, but unread for 2 TTLs
    Thread.sleep(30);
    refreshes.runAll();
    assertThat(fake.calls("team/a")).isEqualTo(4);

    ticker.advance(Duration.ofSeconds(30)); // t = 150: the last value's expiry
    awaitSchedule(() -> client.toString().contains("cached=0"));
    assertThat(fake.calls("team/a")).isEqualTo(4);

    client.resolve(A).close(); // the next reader pays one provider call
    assertThat(fake.calls("team/a")).isEqualTo(5);
  }

  @Test
  void expiredValuesNobodyReadsAreDroppedAtTheirExpiry() throws Exception {
    fake.set("team/a", value());
    fake.set("team/b", value());
    SecretsClient client = client(builder().keepWarm(0));
    client.resolve(A).close();
    client.resolve(B).close();
    assertThat(client.toString()).contains("cached=2");

    ticker.advance(TTL.plusSeconds(1));
    awaitSchedule(() -> client.toString().contains("cached=0"));
    assertThat(fake.totalCalls()).as("keepWarm(0): nothing refreshed without a reader").isEqualTo(2);
  }

  @Test
  void previousVersionSurvivesEvictionForTheWholeGraceWindowAndIsAnnouncedAnHourBeforeItEnds()
      throws Exception {
    String v1 = value();
    String v2 = value();
    fake.set("team/a", v1);
    SecretsClient client = client(builder()
        .defaultTtl(Duration.ofHours(2))
        .maximumSize(1)
        .keepWarm(0));
    List<SecretChangeEvent> changes = new CopyOnWriteArrayList<>();
    List<GraceEndingEvent> endings = new CopyOnWriteArrayList<>();
    client.onChange(A, new SecretChangeListener() {
      @Override
      public void onChange(SecretChangeEvent event) {
        changes.add(event);
      }

      @Override
      public void onGraceEnding(GraceEndingEvent event) {
        endings.add(event);
      }
    });
    client.resolve(A).close();
    fake.set("team/a", v2);
    client.refresh(A).close();
    assertThat(changes).hasSize(1);

    // evict A's entry by size: its previous version is kept apart from the entry
    fake.set("team/b", value());
    client.resolve(B).close();
    client.resolve(B).close();
    ticker.advance(Duration.ofHours(3)); // A's current value expired, B's too
    client.resolve(A).close();           // and reloaded
    assertThat(revealAll(client.resolveAll(A))).containsExactlyInAnyOrder(v1, v2);

    ticker.advance(Duration.ofHours(19)); // 22 h after the rotation: no warning yet
    Thread.sleep(30);
    assertThat(endings).isEmpty();

    ticker.advance(Duration.ofMinutes(61)); // 23 h 1 min: inside the last hour
    awaitSchedule(() -> !endings.isEmpty());
    GraceEndingEvent ending = endings.get(0);
    assertThat(ending.ref()).isEqualTo(A);
    assertThat(ending.previous()).contains("1");
    assertThat(ending.current()).isPresent();
    assertThat(ending.timeLeft()).isBetween(Duration.ofMinutes(58), Duration.ofMinutes(59));
    List<AuditEvent> warned = audit.ofType(AuditEvent.Type.GRACE_ENDING);
    assertThat(warned).hasSize(1);
    assertThat(warned.get(0).version()).contains("1");
    assertThat(warned.get(0).graceEndsAt()).isPresent();
    assertThat(audit.allText()).doesNotContain(v1).doesNotContain(v2);
    Thread.sleep(30);
    assertThat(endings).as("one warning per version").hasSize(1);

    ticker.advance(Duration.ofMinutes(60)); // grace over
    client.resolve(A).close();
    awaitSchedule(() -> revealAll(client.resolveAll(A)).size() == 1);
    assertThat(revealAll(client.resolveAll(A))).containsExactly(v2);
  }

  @Test
  void retryWaitsFollowTheClientsTicker() throws Exception {
    fake.set("team/a", value());
    fake.failNext("team/a", 1, ref -> new ProviderUnavailableException(ref, "flaky"));
    SecretsClient client = client(builder()
        .retry(3, Duration.ofMinutes(10), Duration.ofMinutes(10), Duration.ofHours(1)));
    java.util.concurrent.ExecutorService caller = java.util.concurrent.Executors.newSingleThreadExecutor();
    CompletableFuture<Boolean> resolved;
    try {
      resolved = CompletableFuture.supplyAsync(() -> {
        try (Secret s = client.resolve(A)) {
          return !s.reveal().isEmpty();
        }
      }, caller);
    } finally {
      caller.shutdown();
    }
    while (fake.calls("team/a") < 1) {
      Thread.sleep(2);
    }
    Thread.sleep(50);
    assertThat(resolved).as("waiting for the backoff (up to 10 minutes)").isNotDone();
    ticker.advance(Duration.ofMinutes(11)); // the test moves time; the wait ends at once
    assertThat(resolved.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(fake.calls("team/a")).isEqualTo(2);
  }

  @Test
  void closeStopsTheSchedule() throws Exception {
    fake.set("team/a", value());
    java.util.Set<String> before = maintenanceThreads();
    SecretsClient client = builder().build();
    client.resolve(A).close();
    java.util.Set<String> started = maintenanceThreads();
    started.removeAll(before);
    assertThat(started).as("the client's own maintenance thread").hasSize(1);
    client.close();
    ticker.advance(Duration.ofMinutes(5));
    Thread.sleep(30);
    refreshes.runAll();
    assertThat(fake.calls("team/a")).isEqualTo(1);
    assertThat(maintenanceThreads()).doesNotContainAnyElementsOf(started);
  }

  private static java.util.Set<String> maintenanceThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(n -> n.startsWith("secrets-sdk-maintenance"))
        .collect(Collectors.toCollection(java.util.HashSet::new));
  }

  private static List<String> revealAll(List<Secret> secrets) {
    List<String> out = new ArrayList<>();
    for (Secret s : secrets) {
      out.add(s.reveal());
      s.close();
    }
    return out;
  }
}
