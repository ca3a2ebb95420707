package io.secretsdk.internal;

import io.secretsdk.spi.Ticker;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The engine's time. With a test's ticker every read is exact. With the system ticker, the hit
 * path reads a coarse timestamp that the client's scheduler refreshes every {@link #TICK_NANOS}:
 * one volatile read instead of a {@code System.nanoTime()} per hit, the largest part of what a
 * hit cost beyond Caffeine's lookup. TTLs are minutes, so a value may be served at most one tick
 * (plus the scheduler's delay) past its expiry; every other decision (install times, backoff,
 * retries) reads the exact ticker.
 */
final class EngineClock {
  /** How often the coarse timestamp is refreshed: 2 ms. */
  static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final Ticker ticker;
  private final boolean coarse;
  private volatile long coarseNow;
  private ScheduledFuture<?> ticking;

  EngineClock(Ticker ticker) {
    this(ticker, ticker == Ticker.system());
  }

  /** A clock over {@code ticker}, coarse on the hit path when {@code coarse} (tests). */
  EngineClock(Ticker ticker, boolean coarse) {
    this.ticker = ticker;
    this.coarse = coarse;
    this.coarseNow = ticker.read();
  }

  /** Starts refreshing the coarse timestamp on {@code scheduler}; no-op with a test's ticker. */
  synchronized void start(ScheduledExecutorService scheduler) {
    if (coarse && ticking == null) {
      ticking = scheduler.scheduleAtFixedRate(this::tick, TICK_NANOS, TICK_NANOS,
          TimeUnit.NANOSECONDS);
    }
  }

  /** Stops the refreshes; reads stay exact afterwards. */
  synchronized void stop() {
    if (ticking != null) {
      ticking.cancel(false);
      ticking = null;
    }
  }

  /** Refreshes the coarse timestamp; the scheduler calls it every tick. */
  void tick() {
    coarseNow = ticker.read();
  }

  /** The time for a hit: coarse with the system ticker while ticking, else exact. */
  long forHit() {
    return coarse && ticking != null ? coarseNow : ticker.read();
  }

  /** The exact time. */
  long now() {
    return ticker.read();
  }

  /** Whether hits read the coarse timestamp (the system ticker is in use). */
  boolean isCoarse() {
    return coarse;
  }
}
