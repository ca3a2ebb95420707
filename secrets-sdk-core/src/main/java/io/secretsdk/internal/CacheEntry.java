package io.secretsdk.internal;

import io.secretsdk.SecretException;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What the cache holds for one ref: the current value and previous versions still in their
 * rotation grace window, or a remembered failure (negative entry). Times are ticker nanoseconds.
 */
final class CacheEntry {
  final CachedValue current;
  final List<Retired> previous;
  final SecretException failure;
  final long fetchedAt;
  final long refreshAt;
  final long expiresAt;
  final long evictAt;
  final AtomicBoolean refreshing = new AtomicBoolean();
  /** After a failed background refresh, reads do not start another before this time. */
  volatile long nextRefreshAttempt;
  /** For a negative entry: how many provider failures in a row it stands for (backoff growth). */
  final int failures;

  private CacheEntry(CachedValue current, List<Retired> previous, SecretException failure,
      long fetchedAt, long refreshAt, long expiresAt, long evictAt, int failures) {
    this.failures = failures;
    this.current = current;
    this.previous = previous;
    this.failure = failure;
    this.fetchedAt = fetchedAt;
    this.refreshAt = refreshAt;
    this.expiresAt = expiresAt;
    this.evictAt = evictAt;
  }

  static CacheEntry value(CachedValue current, List<Retired> previous, long fetchedAt,
      long refreshAt, long expiresAt, long evictAt) {
    return new CacheEntry(current, List.copyOf(previous), null, fetchedAt, refreshAt, expiresAt,
        evictAt, 0);
  }

  static CacheEntry negative(SecretException failure, long now, long evictAt) {
    return negative(failure, now, evictAt, 1);
  }

  /** A remembered failure standing for {@code failures} provider failures in a row. */
  static CacheEntry negative(SecretException failure, long now, long evictAt, int failures) {
    return new CacheEntry(null, List.of(), failure, now, evictAt, evictAt, evictAt, failures);
  }

  boolean isNegative() {
    return failure != null;
  }

  /** Wipes everything this entry holds. */
  void wipeAll() {
    if (current != null) {
      current.wipe();
    }
    previous.forEach(r -> r.value.wipe());
  }

  /** A version replaced by a rotation, kept until {@code retiredAt + grace}. */
  static final class Retired {
    final CachedValue value;
    final long retiredAt;

    Retired(CachedValue value, long retiredAt) {
      this.value = value;
      this.retiredAt = retiredAt;
    }
  }

  @Override
  public String toString() {
    return failure != null
        ? "CacheEntry[negative " + failure.getClass().getSimpleName() + "]"
        : "CacheEntry[" + current + ", previous=" + previous.size() + "]";
  }
}
