package io.secretsdk.spi;

/**
 * A source of monotonic time in nanoseconds, for TTLs, refresh and backoff.
 *
 * <p>Tests inject a fake ticker to move time without sleeping. Implementations must be
 * thread-safe and cheap: the client reads the ticker on every resolve.
 */
@FunctionalInterface
public interface Ticker {

  /** Nanoseconds since an arbitrary fixed origin; only differences are meaningful. */
  long read();

  /** The system ticker, backed by {@link System#nanoTime()}; always the same instance. */
  static Ticker system() {
    return SystemTicker.INSTANCE;
  }
}
