package io.secretsdk.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.spi.FetchResult;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cache of ref entries and every change to them: installing a fetched value (TTL caps,
 * rotation hand-over to the {@link RotationKeeper}, wiping what is replaced), remembering
 * failures as negative or backing-off entries, and per-ref generations so that a fetch that
 * started before an invalidation is not cached. Each change is one short {@code compute} that
 * never does I/O. Times are ticker nanoseconds.
 */
final class EntryStore {
  private static final Logger log = LoggerFactory.getLogger(EntryStore.class);

  private final ClientSettings s;
  private final EngineClock clock;
  private final RotationKeeper keeper;
  private final Auditor audit;
  private final Cache<SecretRef, CacheEntry> cache;
  private final Generations generations = new Generations();
  private final Map<SecretRef, Duration> registryCaps;
  private final long capNanos;
  private final boolean staleAllowed;

  EntryStore(ClientSettings settings, EngineClock clock, RotationKeeper keeper, Auditor audit) {
    this.s = settings;
    this.clock = clock;
    this.keeper = keeper;
    this.audit = audit;
    Duration cap = settings.environment.ttlCap();
    if (settings.policy.maxTtl().isPresent() && settings.policy.maxTtl().get().compareTo(cap) < 0) {
      cap = settings.policy.maxTtl().get();
    }
    this.capNanos = cap.toNanos();
    this.staleAllowed = !settings.policy.strictTtl() && !settings.maxStale.isZero();
    this.registryCaps = registryCaps(settings);
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize)
        .ticker(clock::forHit)
        .executor(Runnable::run)
        // The engine checks each entry's own expiry on every hit and the schedule removes what
        // expired; Caffeine only evicts, as a backstop, what can no longer be served (the longest
        // possible TTL plus the stale window). Per-entry expiry in Caffeine would cost a second
        // clock read per hit and did not scale to two readers.
        .expireAfterWrite(Duration.ofNanos(capNanos).plus(
            staleAllowed ? settings.maxStale : Duration.ZERO).plus(settings.negativeTtl))
        // replacements are wiped by install(), which knows what the new entry carries forward
        .removalListener((SecretRef key, CacheEntry value, RemovalCause cause) -> {
          if (value != null && cause != RemovalCause.REPLACED) {
            value.wipeAll();
          }
        })
        .build();
    settings.metrics.bindCacheSize(cache::estimatedSize);
  }

  /** The entry of {@code ref}, or null. The hit path's one lookup. */
  CacheEntry get(SecretRef ref) {
    return cache.getIfPresent(ref);
  }

  /** The live map, for the schedule's pass over every entry. */
  Map<SecretRef, CacheEntry> asMap() {
    return cache.asMap();
  }

  /** Removes {@code expected} if it is still the entry of {@code ref}, wiping it. */
  boolean removeAndWipe(SecretRef ref, CacheEntry expected) {
    if (cache.asMap().remove(ref, expected)) {
      expected.wipeAll();
      return true;
    }
    return false;
  }

  /** How many entries are cached (estimate). */
  long size() {
    return cache.estimatedSize();
  }

  /** The generation of {@code ref}: fetches that started under an older one are not cached. */
  long generation(SecretRef ref) {
    return generations.of(ref);
  }

  /** Invalidates fetches of {@code ref} in flight. */
  void bump(SecretRef ref) {
    generations.bump(ref);
  }

  /** Drops and wipes everything, and invalidates every fetch in flight (close). */
  void clear() {
    generations.bumpAll();
    for (SecretRef ref : List.copyOf(cache.asMap().keySet())) {
      dropAndWipe(ref);
    }
    cache.invalidateAll();
    cache.cleanUp();
    keeper.dropAll();
  }

  /** Removes a ref's entry and wipes it now (the removal listener would run later). */
  void dropAndWipe(SecretRef ref) {
    CacheEntry removed = cache.asMap().remove(ref);
    if (removed != null) {
      removed.wipeAll();
    }
    keeper.drop(ref);
  }

  /**
   * After a failed background refresh, reads start no other before a quarter of the remaining
   * validity has passed (at least the initial backoff): at most one provider call per interval.
   */
  void backOffRefresh(CacheEntry e) {
    long now = clock.now();
    e.nextRefreshAttempt = now + Math.max(s.initialBackoff.toNanos(), (e.expiresAt - now) / 4);
  }

  static boolean isGoneOrForbidden(SecretException failure) {
    return failure instanceof SecretNotFoundException
        || failure instanceof SecretAccessDeniedException
        || failure instanceof PolicyViolationException;
  }

  /**
   * Backoff after {@code failures} transient failures in a row: the initial backoff doubled per
   * failure up to the maximum, with equal jitter (half fixed, half random) so that clients that
   * failed together do not come back together.
   */
  long missBackoffNanos(int failures) {
    long base = s.initialBackoff.toNanos();
    long cap = Math.max(base, s.maxBackoff.toNanos());
    long b = failures >= 31 ? cap : Math.min(cap, base << Math.max(0, failures - 1));
    if (b <= 1) {
      return Math.max(0, b);
    }
    return b / 2 + ThreadLocalRandom.current().nextLong(b / 2 + 1);
  }

  /**
   * Remembers a failure as a negative entry for the negative TTL (when enabled). Not-found,
   * denied and policy failures replace a cached value (wiping it); any other non-transient
   * failure is remembered only where no value is cached, so a bad answer does not drop a good
   * value. Transient failures are handled by {@link #backOffMiss}.
   */
  void rememberFailure(SecretRef ref, SecretException failure, long startEpoch) {
    if (failure instanceof ProviderUnavailableException) {
      return;
    }
    boolean replacesValue = isGoneOrForbidden(failure);
    long now = clock.now();
    CacheEntry[] replaced = new CacheEntry[1];
    cache.asMap().compute(ref, (k, cur) -> {
      if (generations.of(ref) != startEpoch && cur != null) {
        return cur;
      }
      if (cur != null && !cur.isNegative() && !replacesValue && now < cur.evictAt) {
        return cur; // a servable value outlives a bad answer; an expired one does not
      }
      replaced[0] = cur;
      if (s.negativeTtl.isZero()) {
        return null;
      }
      return CacheEntry.negative(failure, now, now + s.negativeTtl.toNanos());
    });
    if (replaced[0] != null) {
      replaced[0].wipeAll();
    }
    if (replacesValue && generations.of(ref) == startEpoch) {
      keeper.drop(ref); // gone or forbidden at the source: no version of it is served any more
    }
  }

  /**
   * A copy of the transient failure {@code ref} is backing off from, or null when it may call its
   * provider: explicit fetches honour the backoff too, so no sequence of calls makes more than
   * one provider call per ref per backoff interval.
   */
  SecretException backingOff(SecretRef ref) {
    CacheEntry e = cache.getIfPresent(ref);
    if (e != null && e.isNegative() && e.failure instanceof ProviderUnavailableException
        && clock.now() < e.evictAt) {
      return Failures.copyFor(e.failure);
    }
    return null;
  }

  /**
   * Remembers the failure of an explicit fetch ({@code refresh}, {@code warmUp}): transient ones
   * back the ref off when nothing servable is cached, the others as {@link #rememberFailure}.
   */
  void rememberOutcome(SecretRef ref, SecretException failure, long startEpoch) {
    if (failure instanceof ProviderUnavailableException) {
      backOffMiss(ref, (ProviderUnavailableException) failure, startEpoch, cache.getIfPresent(ref));
    } else {
      rememberFailure(ref, failure, startEpoch);
    }
  }

  /**
   * After a miss failed transiently with nothing to serve, the ref backs off: resolves within the
   * backoff get a copy of the failure without a provider call.
   */
  void backOffMiss(SecretRef ref, ProviderUnavailableException failure, long startEpoch,
      CacheEntry previous) {
    int failures = previous != null && previous.isNegative() ? previous.failures + 1 : 1;
    long now = clock.now();
    long until = now + missBackoffNanos(failures);
    CacheEntry[] replaced = new CacheEntry[1];
    cache.asMap().compute(ref, (k, cur) -> {
      if (generations.of(ref) != startEpoch
          || (cur != null && !cur.isNegative() && now < cur.evictAt)) {
        return cur;
      }
      replaced[0] = cur;
      return CacheEntry.negative(failure, now, until, failures);
    });
    if (replaced[0] != null) {
      replaced[0].wipeAll(); // an expired value nothing may serve any more
    }
  }

  /** The result of {@link #install}: the new entry and what it replaced. */
  static final class Installed {
    final CacheEntry entry;
    final CacheEntry replaced;
    final boolean rotated;
    final boolean cached;
    /**
     * The caller's own copy, taken before the entry was published (so no eviction or newer load
     * can wipe it first), when asked for; the caller owns and wipes it.
     */
    byte[] callerCopy;

    Installed(CacheEntry entry, CacheEntry replaced, boolean rotated, boolean cached) {
      this.entry = entry;
      this.replaced = replaced;
      this.rotated = rotated;
      this.cached = cached;
    }
  }

  /**
   * Turns a fetch result into the ref's new entry, handing the replaced value to the rotation
   * keeper when its version changed. Never does I/O inside {@code compute}.
   *
   * @param byReader whether a reader asked for this value (a miss, {@code refresh}, {@code warmUp})
   *     rather than the background refresh, which keeps the entry's last read time
   */
  Installed install(SecretRef ref, FetchResult result, long startEpoch, CacheEntry expectedOld,
      boolean withCallerCopy, boolean byReader) {
    byte[] bytes = result.value();
    result.wipe();
    try {
      s.policy.checkMetadata(ref, result.metadata());
    } catch (PolicyViolationException denied) {
      Arrays.fill(bytes, (byte) 0);
      throw denied;
    }
    // registered before any caller can see the value: it is masked from the moment resolve returns
    s.redactionIndex.register(ref, bytes);
    // provider strings are data: checked only now, so one that holds this very value is caught
    CachedValue value = new CachedValue(bytes, shown(result.version().orElse(null)),
        result.createdAt().orElse(null), shown(result.metadata()), audit.fingerprint(bytes));
    byte[] callerCopy = withCallerCopy ? value.copyOrNull() : null;
    Installed installed = installValue(ref, value, result, startEpoch, expectedOld, byReader);
    installed.callerCopy = callerCopy;
    return installed;
  }

  private Installed installValue(SecretRef ref, CachedValue value, FetchResult result,
      long startEpoch, CacheEntry expectedOld, boolean byReader) {
    long now = clock.now();
    long ttl = ttlNanos(ref, result);
    double point = s.refreshAhead - ThreadLocalRandom.current().nextDouble() * s.refreshJitter;
    long refreshAt = now + (long) (ttl * point);
    long expiresAt = now + ttl;
    long evictAt = staleAllowed ? expiresAt + s.maxStale.toNanos() : expiresAt;

    CacheEntry[] old = new CacheEntry[1];
    boolean[] rotated = new boolean[1];
    CacheEntry[] built = new CacheEntry[1];
    if (ttl > 0 && generations.of(ref) == startEpoch) {
      cache.asMap().compute(ref, (k, cur) -> {
        if (generations.of(ref) != startEpoch) {
          return cur;
        }
        old[0] = cur;
        boolean hadValue = cur != null && !cur.isNegative();
        rotated[0] = hadValue && isRotation(cur.current, value);
        long lastRead = byReader || !hadValue ? now : cur.lastReadAt;
        built[0] = CacheEntry.value(value, now, refreshAt, expiresAt, evictAt, lastRead);
        return built[0];
      });
    }
    if (built[0] == null) {
      // not cacheable (zero TTL, or invalidated while fetching): serve once, cache nothing
      CacheEntry transientEntry = CacheEntry.value(value, now, expiresAt, expiresAt, expiresAt, now);
      return new Installed(transientEntry, null, false, false);
    }
    CacheEntry replaced = old[0];
    if (replaced != null) {
      if (replaced.isNegative()) {
        // nothing to wipe
      } else if (rotated[0]) {
        keeper.retire(ref, replaced.current, value.version, now); // resolvable for the grace window
      } else {
        replaced.current.wipe();
      }
    }
    if (expectedOld != null && expectedOld != replaced && !expectedOld.isNegative()
        && replaced == null) {
      // expectedOld was evicted meanwhile (and wiped by the removal listener); nothing to do
      log.trace("entry for {} was evicted during fetch", ref);
    }
    return new Installed(built[0], replaced, rotated[0] && replaced != null, true);
  }

  private static boolean isRotation(CachedValue before, CachedValue after) {
    if (before.version != null || after.version != null) {
      return !java.util.Objects.equals(before.version, after.version);
    }
    return !before.sameBytes(after);
  }

  private long ttlNanos(SecretRef ref, FetchResult result) {
    long ttl = result.ttl().map(Duration::toNanos)
        .orElse(s.defaultTtl != null ? s.defaultTtl.toNanos() : capNanos);
    ttl = Math.min(ttl, capNanos);
    Duration registryCap = registryCaps.get(ref);
    if (registryCap != null) {
      ttl = Math.min(ttl, registryCap.toNanos());
    }
    return Math.max(0, ttl);
  }

  private String shown(String providerString) {
    return ProviderText.shown(providerString, s.redactionIndex);
  }

  private Map<String, String> shown(Map<String, String> metadata) {
    if (metadata.isEmpty()) {
      return metadata;
    }
    Map<String, String> out = new HashMap<>();
    metadata.forEach((k, v) -> out.putIfAbsent(shown(k), shown(v)));
    return Map.copyOf(out); // immutable, so each hit's Secret shares it instead of copying
  }

  private static Map<SecretRef, Duration> registryCaps(ClientSettings s) {
    Map<SecretRef, Duration> caps = new HashMap<>();
    for (RegistryEntry e : s.registry.entries()) {
      if (e.environment() != s.environment || e.maxTtl().isEmpty()) {
        continue;
      }
      SecretRef ref = e.ref();
      String scheme = s.aliases.getOrDefault(ref.scheme(), ref.scheme());
      SecretRef target = scheme.equals(ref.scheme()) ? ref : ref.withScheme(scheme);
      caps.merge(target, e.maxTtl().get(), (a, b) -> a.compareTo(b) <= 0 ? a : b);
    }
    return Map.copyOf(caps);
  }
}
