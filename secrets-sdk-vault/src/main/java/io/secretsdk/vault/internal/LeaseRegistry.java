package io.secretsdk.vault.internal;

import io.secretsdk.internal.ProviderText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dynamic-secret leases the provider holds, one current lease per path (so {@code #username}
 * and {@code #password} of one {@code database/creds/<role>} read come from the same lease), plus
 * replaced leases still alive, all revoked on close.
 *
 * <p>Thread-safe; callers serialise work on one path with {@link #lockFor(String)}.
 */
public final class LeaseRegistry {
  /** One lease and the data it came with (secret: wiped when retired). */
  public static final class Lease {
    public final String id;
    public final boolean renewable;
    public final Duration duration;
    public final long expiresAt;
    final byte[] data;

    public Lease(String id, boolean renewable, Duration duration, long expiresAt, byte[] data) {
      this.id = id;
      this.renewable = renewable;
      this.duration = duration;
      this.expiresAt = expiresAt;
      this.data = data;
    }

    /** A copy of the lease's data (JSON). */
    public byte[] data() {
      return data.clone();
    }

    /** This lease with a new duration, counted from {@code now}. */
    public Lease renewed(Duration granted, long now, boolean stillRenewable) {
      return new Lease(id, stillRenewable, granted, now + granted.toNanos(), data);
    }

    public boolean expired(long now) {
      return now - expiresAt >= 0;
    }

    @Override
    public String toString() {
      return "Lease[id=" + ProviderText.shown(id) + ", duration=" + duration + "]";
    }
  }

  private final Map<String, Lease> current = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();
  private final List<Lease> retired = new ArrayList<>();

  /** The lock for work on {@code key}. */
  public Object lockFor(String key) {
    return locks.computeIfAbsent(key, k -> new Object());
  }

  /** The current lease of {@code key}, or {@code null}. */
  public Lease current(String key) {
    return current.get(key);
  }

  /**
   * Replaces the lease of {@code key}; a replaced lease is kept (data wiped) for revocation until it
   * expires. Retired leases that expired by {@code now} are forgotten.
   */
  public void hold(String key, Lease lease, long now) {
    Lease old = current.put(key, lease);
    if (old != null && old != lease && !old.id.equals(lease.id)) {
      retire(old);
    }
    synchronized (retired) {
      retired.removeIf(l -> l.expired(now));
    }
  }

  /** Updates the lease of {@code key} after a renewal. */
  public void renewed(String key, Lease lease) {
    current.put(key, lease);
  }

  private void retire(Lease old) {
    Arrays.fill(old.data, (byte) 0);
    synchronized (retired) {
      retired.add(old);
    }
  }

  /** Removes and returns every held lease, current and retired; wipes their data. */
  public List<Lease> drain() {
    List<Lease> all = new ArrayList<>();
    for (String k : new ArrayList<>(current.keySet())) {
      Lease l = current.remove(k);
      if (l != null) {
        Arrays.fill(l.data, (byte) 0);
        all.add(l);
      }
    }
    synchronized (retired) {
      all.addAll(retired);
      retired.clear();
    }
    return all;
  }

  /** How many leases are held (current and retired). */
  public int size() {
    synchronized (retired) {
      return current.size() + retired.size();
    }
  }
}
