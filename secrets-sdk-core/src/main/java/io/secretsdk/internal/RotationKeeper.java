package io.secretsdk.internal;

import io.secretsdk.SecretRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Previous versions of rotated secrets, kept resolvable for the rotation grace window whatever
 * happens to the ref's cache entry (evictions, repeated refreshes), and the warning that a grace
 * window is about to end. Values are wiped when their window ends, or when the ref is invalidated,
 * revoked or gone at the source. Times are ticker nanoseconds.
 */
final class RotationKeeper {
  private final Map<SecretRef, List<Retired>> retired = new ConcurrentHashMap<>();
  private final long graceNanos;
  private final long warnLeadNanos;

  /**
   * @param graceNanos how long a previous version stays resolvable
   * @param warnLeadNanos how long before the end of a window its warning is due
   */
  RotationKeeper(long graceNanos, long warnLeadNanos) {
    this.graceNanos = graceNanos;
    this.warnLeadNanos = Math.min(warnLeadNanos, graceNanos);
  }

  /**
   * Keeps {@code value}, replaced at {@code now} by {@code successor}, for the grace window (wiped
   * now if there is none).
   */
  void retire(SecretRef ref, CachedValue value, String successor, long now) {
    if (graceNanos <= 0) {
      value.wipe();
      return;
    }
    List<CachedValue> ended = new ArrayList<>();
    retired.compute(ref, (k, list) -> {
      List<Retired> next = new ArrayList<>();
      if (list != null) {
        for (Retired r : list) {
          if (r.value == value) {
            continue; // already kept (a racing install saw the same rotation)
          }
          if (now - r.retiredAt < graceNanos) {
            next.add(r);
          } else {
            ended.add(r.value);
          }
        }
      }
      next.add(0, new Retired(value, successor, now));
      return List.copyOf(next);
    });
    ended.forEach(CachedValue::wipe);
  }

  /** The previous versions of {@code ref} still inside their window, newest first. */
  List<CachedValue> live(SecretRef ref, long now) {
    List<Retired> list = retired.get(ref);
    if (list == null) {
      return List.of();
    }
    List<CachedValue> out = new ArrayList<>(list.size());
    for (Retired r : list) {
      if (now - r.retiredAt < graceNanos && !r.value.isWiped()) {
        out.add(r.value);
      }
    }
    return out;
  }

  /** The previous version {@code version} of {@code ref}, when still inside its window. */
  CachedValue find(SecretRef ref, String version, long now) {
    for (CachedValue v : live(ref, now)) {
      if (version.equals(v.version)) {
        return v;
      }
    }
    return null;
  }

  /** Wipes and forgets every previous version of {@code ref}. */
  void drop(SecretRef ref) {
    List<Retired> list = retired.remove(ref);
    if (list != null) {
      list.forEach(r -> r.value.wipe());
    }
  }

  /** Wipes and forgets everything. */
  void dropAll() {
    for (SecretRef ref : List.copyOf(retired.keySet())) {
      drop(ref);
    }
  }

  /** How many previous versions are kept, for tests and gauges. */
  int size() {
    return retired.values().stream().mapToInt(List::size).sum();
  }

  /**
   * Wipes versions whose window has ended and returns the warnings that are due (each version's
   * warning is returned once).
   */
  List<GraceWarning> maintain(long now) {
    List<GraceWarning> due = new ArrayList<>();
    for (SecretRef ref : List.copyOf(retired.keySet())) {
      List<CachedValue> ended = new ArrayList<>();
      retired.computeIfPresent(ref, (k, list) -> {
        List<Retired> next = new ArrayList<>(list.size());
        for (Retired r : list) {
          if (now - r.retiredAt >= graceNanos || r.value.isWiped()) {
            ended.add(r.value);
          } else {
            next.add(r);
          }
        }
        return next.isEmpty() ? null : List.copyOf(next);
      });
      ended.forEach(CachedValue::wipe);
      for (Retired r : retired.getOrDefault(ref, List.of())) {
        long endsAt = r.retiredAt + graceNanos;
        if (now >= endsAt - warnLeadNanos && r.warned.compareAndSet(false, true)) {
          due.add(new GraceWarning(ref, r.value.version, r.successor, endsAt - now));
        }
      }
    }
    return due;
  }

  /** The earliest time something kept here needs {@link #maintain}, or {@code Long.MAX_VALUE}. */
  long nextDue() {
    long next = Long.MAX_VALUE;
    for (List<Retired> list : retired.values()) {
      for (Retired r : list) {
        long endsAt = r.retiredAt + graceNanos;
        next = Math.min(next, r.warned.get() ? endsAt : endsAt - warnLeadNanos);
      }
    }
    return next;
  }

  /** A previous version's grace window ends in {@code nanosLeft}; {@code successor} replaced it. */
  record GraceWarning(SecretRef ref, String version, String successor, long nanosLeft) {}

  private static final class Retired {
    final CachedValue value;
    final String successor;
    final long retiredAt;
    final AtomicBoolean warned = new AtomicBoolean();

    Retired(CachedValue value, String successor, long retiredAt) {
      this.value = value;
      this.successor = successor;
      this.retiredAt = retiredAt;
    }
  }
}
