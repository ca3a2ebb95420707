package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.spi.Ticker;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hit path's clock: exact with a test's ticker, coarse and fresh with the system one. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class EngineClockTest {

  @Test
  void aTestsTickerIsReadExactlyOnEveryHit() {
    AtomicLong nanos = new AtomicLong(5);
    EngineClock clock = new EngineClock(nanos::get);
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      clock.start(scheduler);
      assertThat(clock.isCoarse()).isFalse();
      nanos.set(1_000);
      assertThat(clock.forHit()).isEqualTo(1_000); // no tick needed
    } finally {
      clock.stop();
      scheduler.shutdownNow();
    }
  }

  @Test
  void theSystemTickerIsCoarseWhileTickingAndStaysWithinATick() throws Exception {
    EngineClock clock = new EngineClock(Ticker.system());
    assertThat(clock.isCoarse()).isTrue();
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      clock.start(scheduler);
      long first = clock.forHit();
      Thread.sleep(50);
      long later = clock.forHit();
      assertThat(later).as("the coarse time moves").isGreaterThan(first);
      assertThat(later).isLessThanOrEqualTo(System.nanoTime());
    } finally {
      clock.stop();
      scheduler.shutdownNow();
    }
    long stopped = System.nanoTime();
    assertThat(clock.forHit()).as("exact again once stopped").isGreaterThanOrEqualTo(stopped);
  }
}
