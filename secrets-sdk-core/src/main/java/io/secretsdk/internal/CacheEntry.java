package io.secretsdk.internal;

import io.secretsdk.SecretException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * What the cache holds for one ref: the current value, or a remembered failure (negative entry).
 * Previous versions in their rotation grace window live in the {@link RotationKeeper}, so they
 * survive this entry's eviction. Times are ticker nanoseconds.
 *
 * <p>States, as the engine reads them at time {@code now}:
 * <ul>
 *   <li><b>fresh</b>: a value, {@code now < refreshAt};</li>
 *   <li><b>refreshing</b>: a value past {@code refreshAt}, {@link #refreshing} set;</li>
 *   <li><b>serving-stale</b>: a value past {@code expiresAt}, before {@code evictAt} and
 *       {@code nextRefreshAttempt} (stale-if-error);</li>
 *   <li><b>backing-off</b>: a value with {@code nextRefreshAttempt} ahead after a failed refresh,
 *       or a negative entry for a transient failure ({@code failures} in a row);</li>
 *   <li><b>negative</b>: a remembered not-found, denial, policy or other failure until
 *       {@code evictAt}.</li>
 * </ul>
 */
final class CacheEntry {
  final CachedValue current;
  final SecretException failure;
  final long fetchedAt;
  final long refreshAt;
  final long expiresAt;
  final long evictAt;
  /** Whether a background refresh of this entry runs; a field, not an object per entry. */
  private volatile boolean refreshing;
  /** After a failed background refresh, reads do not start another before this time. */
  volatile long nextRefreshAttempt;
  /**
   * When a reader last used this value (coarse: updated at most every {@link #READ_MARK_NANOS}):
   * decides whether the value is kept warm without a reader.
   */
  volatile long lastReadAt;
  /** For a negative entry: how many provider failures in a row it stands for (backoff growth). */
  final int failures;

  private static final VarHandle REFRESHING;

  static {
    try {
      REFRESHING = MethodHandles.lookup().findVarHandle(CacheEntry.class, "refreshing",
          boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * Claims this entry's background refresh: {@code false} when one already runs. A plain read
   * comes first, so that hits during a refresh do not contend on the compare-and-set.
   */
  boolean claimRefresh() {
    return !refreshing && REFRESHING.compareAndSet(this, false, true);
  }

  /** Ends the refresh {@link #claimRefresh} claimed. */
  void releaseRefresh() {
    refreshing = false;
  }

  /** How stale {@link #lastReadAt} may be before a hit writes it again: 100 ms. */
  static final long READ_MARK_NANOS = 100_000_000L;

  private CacheEntry(CachedValue current, SecretException failure, long fetchedAt,
      long refreshAt, long expiresAt, long evictAt, int failures, long lastReadAt) {
    this.failures = failures;
    this.current = current;
    this.failure = failure;
    this.fetchedAt = fetchedAt;
    this.refreshAt = refreshAt;
    this.expiresAt = expiresAt;
    this.evictAt = evictAt;
    this.lastReadAt = lastReadAt;
  }

  /** A value entry last read at {@code lastReadAt}. */
  static CacheEntry value(CachedValue current, long fetchedAt, long refreshAt, long expiresAt,
      long evictAt, long lastReadAt) {
    return new CacheEntry(current, null, fetchedAt, refreshAt, expiresAt, evictAt, 0, lastReadAt);
  }

  static CacheEntry negative(SecretException failure, long now, long evictAt) {
    return negative(failure, now, evictAt, 1);
  }

  /** A remembered failure standing for {@code failures} provider failures in a row. */
  static CacheEntry negative(SecretException failure, long now, long evictAt, int failures) {
    return new CacheEntry(null, failure, now, evictAt, evictAt, evictAt, failures, now);
  }

  boolean isNegative() {
    return failure != null;
  }

  /** Notes a read at {@code now}, writing the shared field only when it is stale. */
  void markRead(long now) {
    if (now - lastReadAt > READ_MARK_NANOS) {
      lastReadAt = now;
    }
  }

  /** Wipes the value this entry holds. */
  void wipeAll() {
    if (current != null) {
      current.wipe();
    }
  }

  @Override
  public String toString() {
    return failure != null
        ? "CacheEntry[negative " + failure.getClass().getSimpleName() + "]"
        : "CacheEntry[" + current + "]";
  }
}
