package io.secretsdk.benchmarks;

import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * A provider for {@code bench://} refs that counts its calls, can take a configurable time per
 * call, and reports a fixed TTL. Every value is {@link #VALUE_LENGTH} bytes derived from the ref
 * path, so no two refs share a value.
 *
 * <p>Thread-safe. {@link #close()} does nothing, so one instance may back many clients.
 */
public final class CountingProvider implements SecretProvider {
  /** The scheme served. */
  public static final String SCHEME = "bench";
  /** Bytes per value: the length of a typical vendor API key. */
  public static final int VALUE_LENGTH = 40;

  private final AtomicLong calls = new AtomicLong();
  /** Bumped when a call starts and when it ends: odd while a call is in flight. */
  private final AtomicLong phase = new AtomicLong();
  private final Duration ttl;
  private volatile long delayNanos;
  private volatile LongConsumer onCall = n -> { };

  /** A provider whose values carry {@code ttl}. */
  public CountingProvider(Duration ttl) {
    this.ttl = ttl;
  }

  /** Makes each later call take {@code delay} (parks the calling thread; no CPU is burnt). */
  public CountingProvider delay(Duration delay) {
    this.delayNanos = delay.toNanos();
    return this;
  }

  /** Called with the running call count on every call (e.g. to bucket calls by simulated time). */
  public CountingProvider onCall(LongConsumer listener) {
    this.onCall = listener;
    return this;
  }

  /**
   * A counter bumped as each call starts and again as it ends: odd while a call is in flight, so a
   * reader that sees the same even value before and after a read overlapped no call.
   */
  public long phase() {
    return phase.get();
  }

  /** Provider calls so far. */
  public long calls() {
    return calls.get();
  }

  @Override
  public String scheme() {
    return SCHEME;
  }

  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    long n = calls.incrementAndGet();
    onCall.accept(n);
    long delay = delayNanos;
    if (delay > 0) {
      phase.incrementAndGet();
      sleepUninterruptibly(delay);
      phase.incrementAndGet();
    }
    byte[] value = valueOf(ref.path());
    try {
      return FetchResult.builder(value).version("1").ttl(ttl).build();
    } finally {
      Arrays.fill(value, (byte) 0);
    }
  }

  /** The value served for {@code path}: {@link #VALUE_LENGTH} bytes, distinct per path. */
  public static byte[] valueOf(String path) {
    byte[] value = new byte[VALUE_LENGTH];
    byte[] seed = ("sk-bench-" + path + "-").getBytes(StandardCharsets.US_ASCII);
    int n = Math.min(seed.length, value.length);
    System.arraycopy(seed, 0, value, 0, n);
    for (int i = n; i < value.length; i++) {
      value[i] = (byte) ('a' + Math.floorMod(i * 31 + path.hashCode(), 26));
    }
    return value;
  }

  static void sleepUninterruptibly(long nanos) {
    long deadline = System.nanoTime() + nanos;
    long left = nanos;
    while (left > 0) {
      LockSupport.parkNanos(left);
      left = deadline - System.nanoTime();
    }
  }

  static void sleepMillis(long millis) {
    sleepUninterruptibly(TimeUnit.MILLISECONDS.toNanos(millis));
  }
}
