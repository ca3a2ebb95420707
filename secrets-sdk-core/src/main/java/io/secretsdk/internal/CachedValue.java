package io.secretsdk.internal;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.locks.StampedLock;

/**
 * One cached version of a value. Readers copy the bytes under an optimistic stamp and take no
 * lock; {@link #wipe()} takes the write lock for good, so a reader racing a wipe sees its stamp
 * invalidated and never returns zeroed bytes.
 */
final class CachedValue {
  private final byte[] bytes;
  private final StampedLock guard = new StampedLock();
  final String version;
  final Instant createdAt;
  final Map<String, String> metadata;
  final String fingerprint;

  CachedValue(byte[] ownedBytes, String version, Instant createdAt, Map<String, String> metadata,
      String fingerprint) {
    this.bytes = ownedBytes;
    this.version = version;
    this.createdAt = createdAt;
    this.metadata = metadata;
    this.fingerprint = fingerprint;
  }

  /** A copy of the bytes, or null once wiped. */
  byte[] copyOrNull() {
    long stamp = guard.tryOptimisticRead();
    if (stamp == 0L) {
      return null;
    }
    byte[] copy = bytes.clone();
    if (!guard.validate(stamp)) {
      Arrays.fill(copy, (byte) 0);
      return null;
    }
    return copy;
  }

  /** Whether the bytes equal {@code other}'s, in constant time; false once either is wiped. */
  boolean sameBytes(CachedValue other) {
    byte[] a = copyOrNull();
    byte[] b = other.copyOrNull();
    try {
      return a != null && b != null && java.security.MessageDigest.isEqual(a, b);
    } finally {
      if (a != null) {
        Arrays.fill(a, (byte) 0);
      }
      if (b != null) {
        Arrays.fill(b, (byte) 0);
      }
    }
  }

  boolean isWiped() {
    return guard.isWriteLocked();
  }

  /** Zeroes the bytes; idempotent. The write lock is never released: the value is dead. */
  void wipe() {
    if (guard.tryWriteLock() != 0L) {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "CachedValue[version=" + version + ", value=****]";
  }
}
