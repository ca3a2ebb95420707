package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.testing.FakeTicker;
import io.secretsdk.vault.MountKind;
import io.secretsdk.vault.VaultOptions;
import io.secretsdk.vault.VaultSecretProvider;
import io.secretsdk.vault.auth.AppRoleAuthentication;
import io.secretsdk.vault.auth.AppRoleAuthenticationOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Phaser;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Many threads resolving through a real client and the Vault provider on MockWebServer while the
 * value rotates, the AppRole token expires (renewed, then replaced by a new login at its max TTL),
 * and the server flaps (every 7th read fails, and it is down for 20 s stretches, longer than
 * the TTL plus the stale window).
 *
 * <p>Time is a {@link FakeTicker} moved in steps by a driver between phases of a {@link Phaser}:
 * within a phase every reader sees one instant, and the client refreshes on the reader's thread,
 * so every fetch starts and is cached in the phase it was made in. That makes the freshness check
 * exact without any timing assertion: a value of version {@code v}, returned in a phase at time
 * {@code t}, must satisfy {@code t < supersededAt(v) + ttl + maxStale}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class ConcurrencyStressTest {
  private static final SecretRef REF = SecretRef.parse("vault://secret/stress/app#api_key");
  private static final Duration TTL = Duration.ofSeconds(10);
  private static final Duration MAX_STALE = Duration.ofSeconds(4);
  private static final Duration STEP = Duration.ofSeconds(1);
  private static final long TOKEN_TTL_S = 12;
  private static final long TOKEN_MAX_TTL_S = 40;
  private static final int READERS = 8;
  private static final int PHASES = 150;
  private static final int READS_PER_PHASE = 5;

  /** A Vault with rotating versions, expiring AppRole tokens and a flapping read path. */
  static final class StressVault extends Dispatcher {
    final FakeTicker ticker;
    final AtomicInteger version = new AtomicInteger(1);
    /** version -> fake nanos when it stopped being current. */
    final Map<Integer, Long> supersededAt = new ConcurrentHashMap<>();
    /** token -> {expiresAt, maxExpiresAt} in fake nanos. */
    final Map<String, long[]> tokens = new ConcurrentHashMap<>();
    final AtomicInteger logins = new AtomicInteger();
    final AtomicInteger renewals = new AtomicInteger();
    final AtomicInteger expiredTokenUses = new AtomicInteger();
    final AtomicInteger reads = new AtomicInteger();
    volatile boolean down;

    StressVault(FakeTicker ticker) {
      this.ticker = ticker;
    }

    void rotate() {
      int old = version.get();
      supersededAt.put(old, ticker.read());
      version.incrementAndGet();
    }

    static String value(int v) {
      return "stress-value-v" + v + "-0123456789abcdef";
    }

    @Override
    public MockResponse dispatch(RecordedRequest r) {
      String path = r.getUrl().encodedPath();
      long now = ticker.read();
      if (path.equals("/v1/auth/approle/login")) {
        String token = "hvs.stress-token-" + logins.incrementAndGet();
        tokens.put(token, new long[] {now + TimeUnit.SECONDS.toNanos(TOKEN_TTL_S), now + TimeUnit.SECONDS.toNanos(TOKEN_MAX_TTL_S)});
        return json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":" + TOKEN_TTL_S
            + ",\"renewable\":true,\"policies\":[\"default\"]}}");
      }
      String token = r.getHeaders().get("X-Vault-Token");
      long[] life = token == null ? null : tokens.get(token);
      if (life == null || now >= life[0]) {
        expiredTokenUses.incrementAndGet();
        return json(403, "{\"errors\":[\"permission denied\"]}");
      }
      if (path.equals("/v1/auth/token/renew-self")) {
        renewals.incrementAndGet();
        long until = Math.min(life[1], now + TimeUnit.SECONDS.toNanos(TOKEN_TTL_S));
        life[0] = until;
        return json(200, "{\"auth\":{\"client_token\":\"" + token + "\",\"lease_duration\":"
            + TimeUnit.NANOSECONDS.toSeconds(until - now) + ",\"renewable\":true}}");
      }
      if (path.equals("/v1/auth/token/revoke-self")) {
        tokens.remove(token);
        return new MockResponse.Builder().code(204).build();
      }
      if (path.equals("/v1/secret/data/stress/app")) {
        int n = reads.incrementAndGet();
        if (down || n % 7 == 0) {
          return json(503, "{\"errors\":[\"Vault is sealed\"]}");
        }
        int v = version.get();
        return json(200, "{\"data\":{\"data\":{\"api_key\":\"" + value(v) + "\"},\"metadata\":{\"version\":" + v
            + ",\"created_time\":\"2026-01-02T03:04:05Z\"}},\"lease_duration\":0}");
      }
      return json(404, "{\"errors\":[]}");
    }

    static MockResponse json(int code, String body) {
      return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build();
    }
  }

  private static VaultSecretProvider vault(MockWebServer server, FakeTicker ticker) {
    return VaultSecretProvider.create(VaultOptions.builder()
        .address(server.url("/").uri())
        .ticker(ticker)
        .authentication(AppRoleAuthentication.create(AppRoleAuthenticationOptions.builder()
            .roleId("stress-role").secretId("stress-secret-id-0123456789").build()))
        .mount("secret", MountKind.KV_V2)
        .readTimeout(Duration.ofSeconds(5))
        .build());
  }

  @Test
  void resolve_rotatingExpiringFlapping_servesOnlyFreshValuesAndFiresOncePerVersion() throws Exception {
    FakeTicker ticker = new FakeTicker();
    StressVault vault = new StressVault(ticker);
    List<String> problems = new CopyOnWriteArrayList<>();
    List<SecretChangeEvent> events = new CopyOnWriteArrayList<>();
    AtomicInteger values = new AtomicInteger();
    AtomicInteger unavailable = new AtomicInteger();
    AtomicInteger staleOrOld = new AtomicInteger();
    try (MockWebServer server = new MockWebServer(); LogCapture logs = new LogCapture()) {
      server.setDispatcher(vault);
      server.start();
      Set<String> threadsBefore = LeakProbe.threadNames();
      SecretsClient client = SecretsClient.builder()
          .provider(vault(server, ticker))
          .environment(RunEnvironment.CI)
          .ticker(ticker)
          .defaultTtl(TTL)
          .maxStale(MAX_STALE)
          .refreshExecutor(Runnable::run) // refreshes happen inside the phase that started them
          .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5))
          .build();
      AutoCloseable subscription = client.onChange(REF, events::add);

      Phaser phaser = new Phaser(READERS + 1);
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      List<Future<?>> readers = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        readers.add(pool.submit(() -> {
          for (int p = 0; p < PHASES; p++) {
            phaser.arriveAndAwaitAdvance(); // the driver has set up this phase
            long t = ticker.read();
            for (int k = 0; k < READS_PER_PHASE; k++) {
              try (Secret s = client.resolve(REF)) {
                int v = Integer.parseInt(s.version().orElseThrow());
                if (!s.reveal().equals(StressVault.value(v))) {
                  problems.add("value does not match its version " + v);
                }
                Long superseded = vault.supersededAt.get(v);
                if (superseded != null) {
                  staleOrOld.incrementAndGet();
                  if (t >= superseded + TTL.toNanos() + MAX_STALE.toNanos()) {
                    problems.add("version " + v + " served at " + t + ", superseded at " + superseded);
                  }
                }
                values.incrementAndGet();
              } catch (ProviderUnavailableException e) {
                unavailable.incrementAndGet();
              } catch (RuntimeException e) {
                problems.add(e.getClass().getName() + ": " + e.getMessage());
              }
            }
            phaser.arriveAndAwaitAdvance(); // done with this phase
          }
          return null;
        }));
      }
      for (int p = 0; p < PHASES; p++) {
        // between phases: move time, rotate every 4 s, and take the server down for stretches
        ticker.advance(STEP);
        if (p % 4 == 0) {
          vault.rotate();
        }
        vault.down = (p / 20) % 4 == 2; // down for 20 s (longer than TTL + stale window) of every 80 s
        phaser.arriveAndAwaitAdvance();
        phaser.arriveAndAwaitAdvance();
      }
      for (Future<?> f : readers) {
        f.get(30, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      subscription.close();
      client.close();

      assertThat(problems).as("stale, mismatched or untyped results").isEmpty();
      assertThat(vault.expiredTokenUses).as("requests with an expired or unknown token").hasValue(0);
      assertThat(vault.renewals.get()).as("token renewals").isPositive();
      assertThat(vault.logins.get()).as("logins (the token reached its max TTL)").isGreaterThan(1);
      assertThat(values.get()).isPositive();
      assertThat(unavailable.get()).as("the outages outlasted the stale window at least once").isPositive();
      assertThat(staleOrOld.get()).as("values served after their version was superseded").isPositive();

      List<String> seen = new ArrayList<>();
      for (SecretChangeEvent e : events) {
        seen.add(e.newVersion().orElseThrow());
        assertThat(Integer.parseInt(e.oldVersion().orElseThrow()))
            .isLessThan(Integer.parseInt(e.newVersion().orElseThrow()));
      }
      assertThat(seen).as("one change event per version seen").doesNotHaveDuplicates();
      assertThat(seen.stream().mapToInt(Integer::parseInt).toArray()).isSorted();
      assertThat(seen.size()).as("rotations seen").isGreaterThan(PHASES / 20);
      assertThat(LeakProbe.awaitNoNewThreads(threadsBefore)).isEmpty();
      if (LeakProbe.canCountConnections()) {
        assertThat(LeakProbe.awaitNoConnections(server.getPort(), 2000)).isZero();
      }
      Canaries.assertAbsent("log lines", logs.text());
      assertThat(logs.text()).doesNotContain("stress-value-v").doesNotContain("hvs.stress-token")
          .doesNotContain("stress-secret-id");
    }
  }

  /**
   * {@code close()} while readers hammer the client: every reader ends with a value, a typed
   * exception or the documented {@code IllegalStateException}; nothing hangs; no thread or
   * connection of the SDK is left.
   */
  @ParameterizedTest
  @EnumSource(HttpProviderKind.class)
  void close_duringLoad_endsCleanly(HttpProviderKind kind) throws Exception {
    FakeTicker ticker = new FakeTicker();
    AtomicLong served = new AtomicLong();
    CountDownLatch midLoad = new CountDownLatch(60);
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest r) {
          if (!kind.isSecretRequest(r)) {
            return kind.other(r);
          }
          midLoad.countDown();
          // every 3rd read fails, so readers keep fetching instead of hitting the cache
          return served.incrementAndGet() % 3 == 0 ? kind.json(503, kind.errorBody(503)) : kind.secret(Canaries.VALUE);
        }
      });
      server.start();
      Set<String> threadsBefore = LeakProbe.threadNames();
      SecretProvider provider = kind.create(server.url("/").uri(), ticker, Duration.ofSeconds(2), 1 << 20);
      SecretsClient client = SecretsClient.builder()
          .provider(provider)
          .environment(RunEnvironment.CI)
          .ticker(ticker)
          .defaultTtl(Duration.ofSeconds(1))
          .retry(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofSeconds(5))
          .build();
      List<String> problems = new CopyOnWriteArrayList<>();
      CountDownLatch started = new CountDownLatch(READERS);
      ExecutorService pool = Executors.newFixedThreadPool(READERS);
      List<Future<?>> readers = new ArrayList<>();
      for (int i = 0; i < READERS; i++) {
        readers.add(pool.submit(() -> {
          started.countDown();
          for (int k = 0; k < 100_000; k++) {
            ticker.advance(Duration.ofMillis(400)); // values expire all the time
            try (Secret s = client.resolve(kind.ref())) {
              if (!s.reveal().equals(Canaries.VALUE)) {
                problems.add("wrong value");
              }
            } catch (IllegalStateException closed) {
              return null; // the documented outcome after close()
            } catch (SecretException e) {
              Canaries.assertAbsent(e);
            } catch (RuntimeException e) {
              problems.add(e.getClass().getName());
              return null;
            }
          }
          return null;
        }));
      }
      started.await();
      assertThat(midLoad.await(20, TimeUnit.SECONDS)).as("readers reached the server").isTrue();
      client.close();
      for (Future<?> f : readers) {
        f.get(20, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
      assertThat(problems).isEmpty();
      // the AWS SDK's timeout scheduler is shut down with shutdown(), and the api-call time-out
      // tasks of calls that were in flight stay queued until they would have fired (5 s here)
      assertThat(LeakProbe.awaitNoNewThreads(threadsBefore, kind == HttpProviderKind.AWS ? 8000 : 3000))
          .as("threads left").isEmpty();
      if (LeakProbe.canCountConnections()) {
        // the AWS SDK's url-connection client keeps its idle keep-alive connection (JDK cache)
        assertThat(LeakProbe.awaitNoConnections(server.getPort(), 1000)).as("connections left")
            .isZero();
      }
    }
  }
}
