package io.secretsdk.spi;

/**
 * {@link Ticker#system()}: {@code System.nanoTime()}. One instance, so the engine can tell the
 * system ticker from a test's ({@code ticker == Ticker.system()}) and read a coarse clock on the
 * hit path only with the former.
 */
final class SystemTicker implements Ticker {
  static final SystemTicker INSTANCE = new SystemTicker();

  private SystemTicker() {}

  @Override
  public long read() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "Ticker.system()";
  }
}
