package io.secretsdk.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.secretsdk.spi.Ticker;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hit path's clock: exact with a test's ticker, coarse (refreshed per tick) with the system one. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
final class EngineClockTest {
  private final AtomicLong nanos = new AtomicLong(5);

  @Test
  void aTestsTickerIsReadExactlyOnEveryHit() {
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
  void onlyTheSystemTickerIsCoarse() {
    assertThat(new EngineClock(Ticker.system()).isCoarse()).isTrue();
    assertThat(new EngineClock(System::nanoTime).isCoarse()).isFalse();
  }

  @Test
  void aCoarseClockServesHitsTheLastTickAndNowStaysExact() {
    EngineClock clock = new EngineClock(nanos::get, true);
    ScheduledExecutorService idle = Executors.newSingleThreadScheduledExecutor();
    CountDownLatch held = new CountDownLatch(1);
    idle.execute(() -> { // holds the scheduler's one thread: no scheduled tick runs meanwhile
      try {
        held.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    try {
      clock.start(idle);
      nanos.set(2_000);
      assertThat(clock.forHit()).as("not ticked yet").isLessThan(2_000);
      assertThat(clock.now()).isEqualTo(2_000);
      clock.tick();
      assertThat(clock.forHit()).isEqualTo(2_000);
    } finally {
      clock.stop();
      held.countDown();
      idle.shutdownNow();
    }
    nanos.set(3_000);
    assertThat(clock.forHit()).as("exact again once stopped").isEqualTo(3_000);
  }
}
