package io.secretsdk.internal;

import io.secretsdk.SecretRef;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The engine's schedule, run on the client's scheduler every maintenance interval, so that what
 * is cached stays warm without a reader and nothing outlives its time:
 * <ul>
 *   <li>a value whose refresh point has passed is refreshed in the background when it was read
 *       (or loaded by {@code warmUp} or an explicit refresh) within the last
 *       {@code keepWarmTtls} TTLs; one not read for longer is left to expire;</li>
 *   <li>a value past its expiry (and stale window) and a negative entry past its time are removed
 *       and wiped then, not at the cache's backstop;</li>
 *   <li>previous versions whose grace window ends are wiped, and the warnings due ahead of that
 *       end are handed out.</li>
 * </ul>
 */
final class Maintenance {
  private static final Logger log = LoggerFactory.getLogger(Maintenance.class);

  private final EntryStore store;
  private final EngineClock clock;
  private final RotationKeeper keeper;
  private final int keepWarmTtls;
  private final BiConsumer<SecretRef, CacheEntry> refresh;
  private final Consumer<RotationKeeper.GraceWarning> warn;
  private ScheduledFuture<?> running;

  /**
   * @param keepWarmTtls how many TTLs without a read a ref stays refreshed; 0 turns background
   *     refresh without a reader off
   * @param refresh starts a background refresh of an entry (at most one per entry at a time)
   * @param warn delivers a grace-ending warning
   */
  Maintenance(EntryStore store, EngineClock clock, RotationKeeper keeper,
      int keepWarmTtls, BiConsumer<SecretRef, CacheEntry> refresh,
      Consumer<RotationKeeper.GraceWarning> warn) {
    this.store = store;
    this.clock = clock;
    this.keeper = keeper;
    this.keepWarmTtls = keepWarmTtls;
    this.refresh = refresh;
    this.warn = warn;
  }

  /** Runs {@link #runOnce} on {@code scheduler} every {@code intervalNanos}. */
  synchronized void start(ScheduledExecutorService scheduler, long intervalNanos) {
    if (running == null) {
      running = scheduler.scheduleWithFixedDelay(this::runSafely, intervalNanos, intervalNanos,
          TimeUnit.NANOSECONDS);
    }
  }

  /** Stops the schedule; a pass already running finishes. */
  synchronized void stop() {
    if (running != null) {
      running.cancel(false);
      running = null;
    }
  }

  private void runSafely() {
    try {
      runOnce();
    } catch (RuntimeException e) {
      // a failing pass must not cancel the schedule
      log.warn("secrets-sdk maintenance pass failed with {}", e.getClass().getName());
    }
  }

  /** One pass over the cache and the kept previous versions, at the ticker's current time. */
  void runOnce() {
    long now = clock.now();
    Map<SecretRef, CacheEntry> map = store.asMap();
    for (Map.Entry<SecretRef, CacheEntry> me : map.entrySet()) {
      SecretRef ref = me.getKey();
      CacheEntry e = me.getValue();
      if (now - e.evictAt >= 0) {
        if (map.remove(ref, e)) {
          e.wipeAll();
        }
        continue;
      }
      if (!e.isNegative() && isKeptWarm(e, now) && now - e.refreshAt >= 0
          && now - e.nextRefreshAttempt >= 0) {
        refresh.accept(ref, e);
      }
    }
    List<RotationKeeper.GraceWarning> due = keeper.maintain(now);
    due.forEach(warn);
  }

  /** Whether {@code e} was read recently enough to be refreshed without a reader. */
  boolean isKeptWarm(CacheEntry e, long now) {
    if (keepWarmTtls == 0) {
      return false;
    }
    long ttl = Math.max(1, e.expiresAt - e.fetchedAt);
    long window = ttl > Long.MAX_VALUE / keepWarmTtls ? Long.MAX_VALUE : ttl * keepWarmTtls;
    return now - e.lastReadAt < window;
  }
}
