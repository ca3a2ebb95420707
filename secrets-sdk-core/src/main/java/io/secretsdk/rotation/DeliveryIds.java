package io.secretsdk.rotation;

import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The delivery ids accepted (or being handled) whose notices could still pass the timestamp
 * check, each with the instant after which a replay would be refused as stale anyway.
 *
 * <p>Bounded: when full of ids that have not expired, a new id is refused rather than an old one
 * forgotten, since forgetting would let that old delivery be replayed. Only notices with a valid
 * signature reach this memory, so filling it takes the key. Thread-safe; every operation is short
 * and holds the lock, which is what makes one of many concurrent claims of an id win.
 */
final class DeliveryIds {
  /** What a claim found. */
  enum Claim {
    CLAIMED,
    SEEN,
    FULL
  }

  private final int capacity;
  // insertion order is close to expiry order (expiry = max(now, timestamp) + window), so the
  // head is where expired ids are; a full sweep runs only when the map is at capacity
  private final Map<String, Instant> expiries = new LinkedHashMap<>();

  DeliveryIds(int capacity) {
    this.capacity = capacity;
  }

  /** Records {@code id} until {@code expiry} unless it is already recorded and not expired. */
  synchronized Claim claim(String id, Instant now, Instant expiry) {
    dropExpiredHead(now);
    Instant known = expiries.get(id);
    if (known != null) {
      if (known.isAfter(now)) {
        return Claim.SEEN;
      }
      expiries.remove(id);
    }
    if (expiries.size() >= capacity) {
      expiries.values().removeIf(e -> !e.isAfter(now));
      if (expiries.size() >= capacity) {
        return Claim.FULL;
      }
    }
    expiries.put(id, expiry);
    return Claim.CLAIMED;
  }

  /** Forgets {@code id}, after its notice failed past the claim, so the sender may retry it. */
  synchronized void release(String id) {
    expiries.remove(id);
  }

  synchronized int size() {
    return expiries.size();
  }

  private void dropExpiredHead(Instant now) {
    Iterator<Instant> it = expiries.values().iterator();
    while (it.hasNext()) {
      if (it.next().isAfter(now)) {
        return;
      }
      it.remove();
    }
  }
}
