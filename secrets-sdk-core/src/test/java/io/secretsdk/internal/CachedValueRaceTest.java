package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Readers copying a cached value while it is wiped get the whole value or nothing. */
final class CachedValueRaceTest {
  private static final int ROUNDS = 2_000;
  private static final int READERS = 4;

  @Test
  @Timeout(60)
  void readersRacingAWipe_neverGetZeroedOrTornBytes() throws Exception {
    byte[] canary = new byte[4096];
    SecureRandom random = new SecureRandom();
    for (int i = 0; i < canary.length; i++) {
      canary[i] = (byte) (1 + random.nextInt(255)); // no zero byte: a wiped byte is visible
    }
    ExecutorService pool = Executors.newFixedThreadPool(READERS);
    AtomicBoolean torn = new AtomicBoolean();
    long copies = 0;
    long misses = 0;
    try {
      for (int round = 0; round < ROUNDS && !torn.get(); round++) {
        CachedValue value = new CachedValue(canary.clone(), "1", Instant.EPOCH, Map.of(), "fp");
        CountDownLatch start = new CountDownLatch(1);
        List<Future<long[]>> readers = new ArrayList<>();
        for (int r = 0; r < READERS; r++) {
          readers.add(pool.submit(() -> {
            start.await();
            long got = 0;
            long none = 0;
            byte[] copy;
            while ((copy = value.copyOrNull()) != null) {
              got++;
              if (!java.util.Arrays.equals(copy, canary)) {
                torn.set(true);
              }
              java.util.Arrays.fill(copy, (byte) 0);
            }
            none++;
            return new long[] {got, none};
          }));
        }
        start.countDown();
        Thread.onSpinWait();
        value.wipe();
        for (Future<long[]> f : readers) {
          long[] counts = f.get(10, TimeUnit.SECONDS);
          copies += counts[0];
          misses += counts[1];
        }
        assertThat(value.isWiped()).isTrue();
        assertThat(value.copyOrNull()).isNull();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(torn).as("a copy returned after the wipe began held zeroed bytes").isFalse();
    // every reader ended on a wiped value: the flag is seen by all of them
    assertThat(misses).isEqualTo((long) ROUNDS * READERS);
    assertThat(copies).isPositive();
  }

  @Test
  void wipe_isIdempotent_andZeroesTheBytes() {
    byte[] owned = {7, 7, 7, 7, 7, 7, 7, 7};
    CachedValue value = new CachedValue(owned, "1", Instant.EPOCH, Map.of(), "fp");
    assertThat(value.copyOrNull()).containsExactly(7, 7, 7, 7, 7, 7, 7, 7);
    value.wipe();
    value.wipe();
    assertThat(owned).containsOnly(0);
    assertThat(value.copyOrNull()).isNull();
    assertThat(value.sameBytes(value)).isFalse();
  }
}
