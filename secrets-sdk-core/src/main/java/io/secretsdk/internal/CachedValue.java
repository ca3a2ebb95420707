package io.secretsdk.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * One cached version of a value. Readers copy the bytes and take no lock: a one-way "wiped" flag
 * is read before the copy and again after it, as a {@code StampedLock}'s optimistic read would
 * (the same fences, without a lock object per cached value), so a reader racing
 * {@link #wipe()} sees the flag set and never returns zeroed bytes.
 */
final class CachedValue {
  private static final VarHandle WIPED;

  static {
    try {
      WIPED = MethodHandles.lookup().findVarHandle(CachedValue.class, "wiped", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final byte[] bytes;
  /** Set once, before the bytes are zeroed; never cleared. */
  private volatile boolean wiped;
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
    if (wiped) {
      return null;
    }
    byte[] copy = bytes.clone();
    // the copy's reads may not pass the second look at the flag (StampedLock.validate's fence)
    VarHandle.acquireFence();
    if (wiped) {
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
    return wiped;
  }

  /**
   * Zeroes the bytes; idempotent. The flag is set by a compare-and-set, a full fence, so no zero
   * is written before a reader can see it.
   */
  void wipe() {
    if (WIPED.compareAndSet(this, false, true)) {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  @Override
  public String toString() {
    return "CachedValue[version=" + version + ", value=****]";
  }
}
