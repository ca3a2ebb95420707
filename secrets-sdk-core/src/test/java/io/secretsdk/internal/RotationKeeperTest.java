package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.SecretRef;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Previous versions: kept for the grace window, warned about once, wiped at its end. */
final class RotationKeeperTest {
  private static final SecretRef REF = SecretRef.parse("mem://app/db");
  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  private static CachedValue value(String version) {
    return new CachedValue(("v-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8), version,
        null, Map.of(), null);
  }

  @Test
  void keepsNewestFirstUntilTheWindowEndsThenWipes() {
    RotationKeeper keeper = new RotationKeeper(24 * HOUR, HOUR);
    CachedValue v1 = value("1");
    CachedValue v2 = value("2");
    keeper.retire(REF, v1, "2", 0);
    keeper.retire(REF, v2, "3", 2 * HOUR);
    assertThat(keeper.live(REF, 3 * HOUR)).containsExactly(v2, v1);
    assertThat(keeper.find(REF, "1", 3 * HOUR)).isSameAs(v1);

    keeper.maintain(24 * HOUR); // v1's window ends exactly now
    assertThat(v1.isWiped()).isTrue();
    assertThat(keeper.live(REF, 24 * HOUR)).containsExactly(v2);
    assertThat(keeper.find(REF, "1", 24 * HOUR)).isNull();
  }

  @Test
  void warnsOnceInTheLastHourWithTheSuccessorAndTimeLeft() {
    RotationKeeper keeper = new RotationKeeper(24 * HOUR, HOUR);
    keeper.retire(REF, value("1"), "2", 0);
    assertThat(keeper.maintain(23 * HOUR - 1)).isEmpty();
    List<RotationKeeper.GraceWarning> due = keeper.maintain(23 * HOUR + 60_000_000_000L);
    assertThat(due).singleElement().satisfies(w -> {
      assertThat(w.ref()).isEqualTo(REF);
      assertThat(w.version()).isEqualTo("1");
      assertThat(w.successor()).isEqualTo("2");
      assertThat(w.nanosLeft()).isEqualTo(HOUR - 60_000_000_000L);
    });
    assertThat(keeper.maintain(23 * HOUR + 120_000_000_000L)).isEmpty();
  }

  @Test
  void aGraceShorterThanTheWarningLeadWarnsAtOnce() {
    RotationKeeper keeper = new RotationKeeper(HOUR / 2, HOUR);
    keeper.retire(REF, value("1"), "2", 0);
    assertThat(keeper.maintain(0)).hasSize(1);
  }

  @Test
  void noGraceWipesAtOnceAndDropWipesEverything() {
    CachedValue gone = value("1");
    new RotationKeeper(0, HOUR).retire(REF, gone, "2", 0);
    assertThat(gone.isWiped()).isTrue();

    RotationKeeper keeper = new RotationKeeper(24 * HOUR, HOUR);
    CachedValue v1 = value("1");
    keeper.retire(REF, v1, "2", 0);
    keeper.drop(REF);
    assertThat(v1.isWiped()).isTrue();
    assertThat(keeper.size()).isZero();
  }

  @Test
  @Timeout(value = 20, unit = TimeUnit.SECONDS)
  void concurrentRetirementsAndMaintenanceLoseNothingInsideTheWindow() throws Exception {
    RotationKeeper keeper = new RotationKeeper(Long.MAX_VALUE / 4, HOUR);
    int threads = 8;
    int each = 500;
    ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
    CountDownLatch go = new CountDownLatch(1);
    try {
      for (int t = 0; t < threads; t++) {
        int id = t;
        pool.submit(() -> {
          go.await();
          for (int i = 0; i < each; i++) {
            keeper.retire(REF, value(id + "-" + i), null, i);
          }
          return null;
        });
      }
      pool.submit(() -> {
        go.await();
        for (int i = 0; i < 200; i++) {
          keeper.maintain(i);
        }
        return null;
      });
      go.countDown();
      pool.shutdown();
      assertThat(pool.awaitTermination(15, TimeUnit.SECONDS)).isTrue();
    } finally {
      pool.shutdownNow();
    }
    assertThat(keeper.size()).isEqualTo(threads * each);
  }
}
