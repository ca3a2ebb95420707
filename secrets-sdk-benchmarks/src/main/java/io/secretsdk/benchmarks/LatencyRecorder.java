package io.secretsdk.benchmarks;

import java.util.Arrays;
import java.util.Locale;

/**
 * Records every latency it is given in log-linear buckets (about 3 % resolution), so rare long
 * operations are counted however many short ones there are (JMH's sample mode times only a
 * random subset of operations, which can miss one blocked read among millions).
 *
 * <p>Not thread-safe: one recorder per thread, {@link #merge merged} afterwards.
 */
final class LatencyRecorder {
  private static final int SUB_BITS = 5;
  private static final int SUB = 1 << SUB_BITS;
  private final long[] counts = new long[64 * SUB];
  private long total;
  private long max;
  private long sumNanos;

  void record(long nanos) {
    long v = Math.max(0, nanos);
    counts[index(v)]++;
    total++;
    sumNanos += v;
    if (v > max) {
      max = v;
    }
  }

  void merge(LatencyRecorder other) {
    for (int i = 0; i < counts.length; i++) {
      counts[i] += other.counts[i];
    }
    total += other.total;
    sumNanos += other.sumNanos;
    max = Math.max(max, other.max);
  }

  long count() {
    return total;
  }

  long maxNanos() {
    return max;
  }

  /** Operations that took longer than {@code nanos}. */
  long countAbove(long nanos) {
    long n = 0;
    for (int i = index(nanos) + 1; i < counts.length; i++) {
      n += counts[i];
    }
    return n;
  }

  /** The upper bound of the bucket holding the {@code q} quantile (0 &lt; q &lt;= 1). */
  long quantileNanos(double q) {
    long rank = (long) Math.ceil(q * total);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank && counts[i] > 0) {
        return Math.min(upperBound(i), max);
      }
    }
    return max;
  }

  String summary(String label) {
    return String.format(Locale.ROOT,
        "%s: n=%d mean=%s p50=%s p99=%s p99.9=%s p99.99=%s max=%s, >1us=%d >1ms=%d",
        label, total, fmt(total == 0 ? 0 : sumNanos / total), fmt(quantileNanos(0.5)),
        fmt(quantileNanos(0.99)), fmt(quantileNanos(0.999)), fmt(quantileNanos(0.9999)),
        fmt(max), countAbove(1_000), countAbove(1_000_000));
  }

  static String fmt(long nanos) {
    if (nanos < 10_000) {
      return nanos + "ns";
    }
    if (nanos < 10_000_000) {
      return String.format(Locale.ROOT, "%.1fus", nanos / 1e3);
    }
    return String.format(Locale.ROOT, "%.1fms", nanos / 1e6);
  }

  private static int index(long v) {
    if (v < SUB) {
      return (int) v;
    }
    int log = 63 - Long.numberOfLeadingZeros(v);
    int shift = log - SUB_BITS;
    int sub = (int) (v >>> shift) & (SUB - 1);
    return (shift + 1) * SUB + sub;
  }

  private static long upperBound(int index) {
    if (index < SUB) {
      return index;
    }
    int shift = index / SUB - 1;
    long sub = index % SUB;
    return ((SUB + sub + 1) << shift) - 1;
  }

  @Override
  public String toString() {
    return "LatencyRecorder" + Arrays.toString(new long[] {total, max});
  }
}
