package io.secretsdk.testing;

import io.secretsdk.spi.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that moves only when told, so tests of TTLs, refresh and grace windows run
 * without sleeping.
 *
 * <p>Thread-safe.
 */
public final class FakeTicker implements Ticker {
  private final AtomicLong nanos = new AtomicLong();

  /** A ticker at an arbitrary origin. */
  public FakeTicker() {}

  @Override
  public long read() {
    return nanos.get();
  }

  /**
   * Moves time forward.
   *
   * @throws IllegalArgumentException if {@code duration} is negative
   */
  public FakeTicker advance(Duration duration) {
    if (duration.isNegative()) {
      throw new IllegalArgumentException("time does not go backwards");
    }
    nanos.addAndGet(duration.toNanos());
    return this;
  }

  @Override
  public String toString() {
    return "FakeTicker[" + Duration.ofNanos(nanos.get()) + "]";
  }
}
