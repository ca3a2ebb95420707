package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.event.AuditSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Eight readers hammer three refs through every transition — loads, background refreshes from
 * hits and from the schedule, rotations, invalidations, outages with backoff, expiry — in phases
 * between which one thread changes the world. Within a phase in which time does not move, each
 * ref costs at most one load and one background refresh (plus one load per invalidation), however
 * many reads; every value served is one the provider made for that ref, and nothing else escapes.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
final class EngineConcurrencyTest {
  private static final int READERS = 8;
  private static final int READS_PER_PHASE = 40;
  private static final List<String> PATHS = List.of("team/a", "team/b", "team/c");

  @Test
  void manyReadersThroughEveryTransitionStayBoundedAndServeOnlyTheirOwnValues() throws Exception {
    FakeSecretProvider fake = FakeSecretProvider.create("fake");
    FakeTicker ticker = new FakeTicker();
    Map<String, Set<String>> made = new ConcurrentHashMap<>();
    PATHS.forEach(p -> {
      made.put(p, ConcurrentHashMap.newKeySet());
      String v = "c-" + UUID.randomUUID();
      made.get(p).add(v);
      fake.set(p, v);
    });
    List<Throwable> escaped = new CopyOnWriteArrayList<>();
    List<String> wrong = new CopyOnWriteArrayList<>();
    Random random = new Random();
    int phases = 150;
    CyclicBarrier start = new CyclicBarrier(READERS + 1);
    CyclicBarrier end = new CyclicBarrier(READERS + 1);

    try (SecretsClient client = SecretsClient.builder()
        .provider(fake)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .auditSink(AuditSink.none())
        .defaultTtl(Duration.ofSeconds(60))
        .negativeTtl(Duration.ofSeconds(5))
        .retry(1, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(50))
        .maintenanceInterval(Duration.ofMillis(1))
        .build()) {
      List<Thread> readers = new ArrayList<>();
      for (int r = 0; r < READERS; r++) {
        Thread t = new Thread(() -> {
          Random own = new Random();
          try {
            for (int phase = 0; phase < phases; phase++) {
              start.await();
              for (int i = 0; i < READS_PER_PHASE; i++) {
                String path = PATHS.get(own.nextInt(PATHS.size()));
                try (Secret s = client.resolve(SecretRef.parse("fake://" + path))) {
                  if (!made.get(path).contains(s.reveal())) {
                    wrong.add(path);
                  }
                } catch (SecretException expected) {
                  // outages and their backoff: typed, and counted by the provider calls below
                }
              }
              end.await();
            }
          } catch (Throwable e) {
            escaped.add(e);
          }
        }, "engine-reader-" + r);
        t.start();
        readers.add(t);
      }

      for (int phase = 0; phase < phases; phase++) {
        Map<String, Integer> invalidated = new ConcurrentHashMap<>();
        boolean timeMoved = false;
        switch (random.nextInt(6)) {
          case 0: {
            String p = PATHS.get(random.nextInt(PATHS.size()));
            String v = "c-" + UUID.randomUUID();
            made.get(p).add(v);
            fake.set(p, v);
            break;
          }
          case 1: {
            String p = PATHS.get(random.nextInt(PATHS.size()));
            client.invalidate(SecretRef.parse("fake://" + p));
            invalidated.merge(p, 1, Integer::sum);
            break;
          }
          case 2:
            PATHS.forEach(p -> fake.failAlways(p,
                ref -> new ProviderUnavailableException(ref, "outage")));
            break;
          case 3:
            PATHS.forEach(fake::recover);
            break;
          default:
            ticker.advance(Duration.ofMillis(300 + random.nextInt(70_000)));
            timeMoved = true;
        }
        Map<String, Integer> before = new ConcurrentHashMap<>();
        PATHS.forEach(p -> before.put(p, fake.calls(p)));
        start.await(20, TimeUnit.SECONDS);
        end.await(20, TimeUnit.SECONDS);
        Thread.sleep(2); // let a refresh started by this phase's hits finish
        if (!timeMoved) {
          for (String p : PATHS) {
            int calls = fake.calls(p) - before.get(p);
            assertThat(calls)
                .as("provider calls for %s in phase %d (%d reads, time still)", p, phase,
                    READERS * READS_PER_PHASE)
                .isLessThanOrEqualTo(2 * (1 + invalidated.getOrDefault(p, 0)));
          }
        }
      }
      for (Thread t : readers) {
        t.join(TimeUnit.SECONDS.toMillis(20));
        assertThat(t.isAlive()).isFalse();
      }
    }
    assertThat(escaped).isEmpty();
    assertThat(wrong).as("values served for another ref or never made").isEmpty();
  }
}
