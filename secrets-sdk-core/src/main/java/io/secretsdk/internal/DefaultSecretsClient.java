package io.secretsdk.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.event.AuditEvent;
import io.secretsdk.event.GraceEndingEvent;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.event.SecretChangeListener;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The resolve engine behind {@link SecretsClient}.
 *
 * <p>Hit path: one Caffeine lookup, one ticker read, one optimistic-stamp copy; no lock. Miss path:
 * one in-flight future per ref, so concurrent misses make one provider call and misses for other
 * refs proceed in parallel; the provider call runs on the first caller's thread with no lock held.
 * Every change to a ref's entry goes through {@link #install}, a short {@code compute} that never
 * does I/O.
 *
 * <p>Outcomes of a provider call, and what the ref's entry becomes (at most one provider call per
 * ref per backoff interval, whatever the sequence of calls):
 * <table>
 *   <caption>failure classes</caption>
 *   <tr><th>outcome</th><th>on a miss</th><th>on a background refresh</th></tr>
 *   <tr><td>value</td><td>fresh entry</td><td>fresh entry (rotation kept for the grace)</td></tr>
 *   <tr><td>{@code ProviderUnavailableException} (after retries)</td><td>stale value served and
 *       backed off, else a backing-off entry: exponential from the initial backoff, equal
 *       jitter</td><td>value kept, next attempt after a quarter of the remaining TTL</td></tr>
 *   <tr><td>provider {@code RuntimeException}</td><td>as unavailable, without immediate
 *       retries</td><td>as unavailable</td></tr>
 *   <tr><td>not found, denied, policy</td><td>negative entry for the negative TTL</td><td>value
 *       wiped, negative entry</td></tr>
 *   <tr><td>any other {@code SecretException}</td><td>negative entry for the negative TTL</td>
 *       <td>value kept, backed off as unavailable</td></tr>
 * </table>
 * Invalidation, revocation and close bump the ref's generation (striped, {@link Generations}): a
 * fetch that started under an older generation serves its caller once and is not cached.
 */
public final class DefaultSecretsClient implements SecretsClient {
  private static final Logger log = LoggerFactory.getLogger(DefaultSecretsClient.class);
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  private final ClientSettings s;
  private final Cache<SecretRef, CacheEntry> cache;
  private final Map<SecretRef, CompletableFuture<CacheEntry>> inFlight = new ConcurrentHashMap<>();
  private final Map<SecretRef, List<SecretChangeListener>> listeners = new ConcurrentHashMap<>();
  private final Map<SecretRef, Duration> registryCaps;
  private final Map<SecretRef, RegistryEntry> registryByRef;
  /** Refs the policy allowed, so a hit does not match patterns again; bounded. */
  private final Map<SecretRef, Boolean> allowedRefs = new ConcurrentHashMap<>();
  private static final int MAX_ALLOWED_REFS = 10_000;
  private final Executor refreshExecutor;
  private final ExecutorService ownedExecutor;
  private final ScheduledExecutorService scheduler;
  private final ScheduledExecutorService ownedScheduler;
  private final EngineClock clock;
  private final RotationKeeper keeper;
  private final Loader loader;
  private final Auditor audit;
  private final Maintenance maintenance;
  private final boolean staleAllowed;
  private final long capNanos;
  /** Bumped by invalidate/revoke/close: a fetch that started before a bump is never cached. */
  private final Generations generations = new Generations();
  private volatile boolean closed;

  /** Built by {@code SecretsClient.Builder} only. */
  public DefaultSecretsClient(ClientSettings settings) {
    this.s = settings;
    Duration cap = settings.environment.ttlCap();
    if (settings.policy.maxTtl().isPresent() && settings.policy.maxTtl().get().compareTo(cap) < 0) {
      cap = settings.policy.maxTtl().get();
    }
    this.capNanos = cap.toNanos();
    this.staleAllowed = !settings.policy.strictTtl() && !settings.maxStale.isZero();
    this.registryCaps = registryCaps(settings);
    Map<SecretRef, RegistryEntry> byRef = new HashMap<>();
    for (RegistryEntry e : settings.registry.entries()) {
      if (e.environment() == settings.environment) {
        byRef.putIfAbsent(e.ref(), e);
      }
    }
    this.registryByRef = Map.copyOf(byRef);
    this.audit = new Auditor(settings);
    this.clock = new EngineClock(settings.ticker);
    this.keeper = new RotationKeeper(settings.rotationGrace.toNanos(),
        settings.graceWarning.toNanos());
    this.loader = new Loader(settings, () -> closed);
    int clientId = CLIENT_IDS.incrementAndGet();
    if (settings.refreshExecutor != null) {
      this.refreshExecutor = settings.refreshExecutor;
      this.ownedExecutor = null;
    } else {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), daemonThreads("secrets-sdk-refresh-" + clientId));
      pool.allowCoreThreadTimeOut(true);
      this.ownedExecutor = pool;
      this.refreshExecutor = pool;
    }
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize)
        .ticker(clock::forHit)
        .executor(Runnable::run)
        // The engine checks each entry's own expiry on every hit; Caffeine only evicts what can no
        // longer be served (the longest possible TTL plus the stale window). Per-entry expiry in
        // Caffeine would cost a second clock read per hit and did not scale to two readers.
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
    if (settings.scheduler != null) {
      this.scheduler = settings.scheduler;
      this.ownedScheduler = null;
    } else {
      ScheduledThreadPoolExecutor owned = new ScheduledThreadPoolExecutor(1,
          daemonThreads("secrets-sdk-maintenance-" + clientId));
      owned.setRemoveOnCancelPolicy(true);
      owned.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      this.ownedScheduler = owned;
      this.scheduler = owned;
    }
    this.maintenance = new Maintenance(cache, clock, keeper, settings.keepWarmTtls,
        this::scheduleRefresh, this::warnGraceEnding);
    clock.start(scheduler);
    maintenance.start(scheduler, settings.maintenanceInterval.toNanos());
  }

  // ---------------------------------------------------------------- resolve

  @Override
  public Secret resolve(SecretRef ref) {
    try {
      return resolveInside(ref);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private Secret resolveInside(SecretRef ref) {
    ensureOpen();
    SecretRef target = route(ref);
    checkPolicy(null, ref, target);
    return resolveChecked(target);
  }

  @Override
  public Secret resolveByName(String name) {
    try {
      return resolveByNameInside(name);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private Secret resolveByNameInside(String name) {
    ensureOpen();
    RegistryEntry entry = registryEntry(name);
    SecretRef target = route(entry.ref());
    try {
      s.policy.check(entry, s.environment);
    } catch (PolicyViolationException denied) {
      audit.record(AuditEvent.Type.DENIED, target, AuditEvent.Outcome.DENIED, null, null, denied);
      s.metrics.resolved(target.scheme(), false, "denied");
      throw denied;
    }
    return resolveChecked(target);
  }

  @Override
  public SecretRef refOf(String name) {
    try {
      return refOfInside(name);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private SecretRef refOfInside(String name) {
    return registryEntry(name).ref();
  }

  @Override
  public List<Secret> resolveAll(SecretRef ref) {
    try {
      return resolveAllInside(ref);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private List<Secret> resolveAllInside(SecretRef ref) {
    ensureOpen();
    SecretRef target = route(ref);
    checkPolicy(null, ref, target);
    List<Secret> all = new ArrayList<>();
    Secret current = resolveChecked(target);
    all.add(current);
    for (CachedValue previous : keeper.live(target, clock.now())) {
      byte[] copy = previous.copyOrNull();
      if (copy != null && !(previous.version != null
          && previous.version.equals(current.version().orElse(null)))) {
        all.add(toSecret(target, previous, copy));
      } else if (copy != null) {
        Arrays.fill(copy, (byte) 0);
      }
    }
    return List.copyOf(all);
  }

  @Override
  public Map<SecretRef, SecretException> warmUp(java.util.Collection<SecretRef> refs) {
    try {
      return ExceptionExit.scrubAll(warmUpInside(refs));
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private Map<SecretRef, SecretException> warmUpInside(java.util.Collection<SecretRef> refs) {
    ensureOpen();
    Map<SecretRef, SecretException> failures = new java.util.LinkedHashMap<>();
    Map<String, List<SecretRef>> byScheme = new java.util.LinkedHashMap<>();
    for (SecretRef ref : refs) {
      try {
        SecretRef target = route(ref);
        checkPolicy(null, ref, target);
        SecretException backingOff = backingOff(target);
        if (backingOff != null) {
          failures.put(ref, backingOff); // no provider call before the backoff ends
          continue;
        }
        byScheme.computeIfAbsent(target.scheme(), k -> new ArrayList<>()).add(target);
      } catch (SecretException e) {
        failures.put(ref, e);
      }
    }
    for (Map.Entry<String, List<SecretRef>> group : byScheme.entrySet()) {
      SecretProvider provider = s.providers.get(group.getKey());
      Map<SecretRef, Long> starts = new java.util.HashMap<>();
      group.getValue().forEach(r -> starts.put(r, generations.of(r)));
      Map<SecretRef, io.secretsdk.spi.FetchOutcome> outcomes;
      try {
        outcomes = provider.fetchAll(List.copyOf(new java.util.LinkedHashSet<>(group.getValue())),
            fetchContext());
      } catch (SecretException e) {
        SecretException scrubbed = ExceptionExit.scrub(e);
        group.getValue().forEach(r -> failures.put(r, Failures.copyFor(scrubbed)));
        continue;
      } catch (RuntimeException e) {
        // one bad ref must not fail the batch: each ref is fetched on its own, and only the
        // ones that fail carry a (typed) failure
        log.debug("the {} provider's batch fetch failed with {}; fetching one by one",
            group.getKey(), e.getClass().getName());
        for (SecretRef ref : new java.util.LinkedHashSet<>(group.getValue())) {
          warmOne(ref, starts.get(ref), failures);
        }
        continue;
      }
      for (SecretRef ref : group.getValue()) {
        long startEpoch = starts.get(ref);
        io.secretsdk.spi.FetchOutcome outcome = outcomes.get(ref);
        if (outcome == null) {
          failures.put(ref, new ProviderUnavailableException(ref, "the " + group.getKey()
              + " provider's batch fetch returned nothing for " + ref));
          continue;
        }
        if (outcome.failure().isPresent()) {
          SecretException failure = ExceptionExit.scrub(outcome.failure().get());
          rememberOutcome(ref, failure, startEpoch);
          audit.record(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), null, null, failure);
          failures.put(ref, failure);
          continue;
        }
        try {
          Installed installed = install(ref, outcome.result().get(), startEpoch, null, false, true);
          audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
          afterInstall(ref, installed);
          if (!installed.cached) {
            installed.entry.current.wipe();
          }
        } catch (SecretException e) {
          failures.put(ref, e);
        }
      }
    }
    return failures;
  }

  /** Fetches and caches one ref of a batch, recording its failure. */
  private void warmOne(SecretRef ref, long startGeneration, Map<SecretRef, SecretException> failures) {
    try {
      FetchResult result = loader.fetch(ref, fetchContext());
      Installed installed = install(ref, result, startGeneration, null, false, true);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
      if (!installed.cached) {
        installed.entry.current.wipe();
      }
    } catch (SecretException failure) {
      rememberOutcome(ref, failure, startGeneration);
      audit.record(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), null, null, failure);
      failures.put(ref, failure);
    }
  }

  @Override
  public Secret refresh(SecretRef ref) {
    try {
      return refreshInside(ref);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private Secret refreshInside(SecretRef ref) {
    ensureOpen();
    SecretRef target = route(ref);
    checkPolicy(null, ref, target);
    SecretException backingOff = backingOff(target);
    if (backingOff != null) {
      audit.record(AuditEvent.Type.REFRESH, target, Failures.outcomeOf(backingOff), null, null,
          backingOff);
      throw backingOff;
    }
    long startEpoch = generations.of(target);
    try {
      FetchResult result = loader.fetch(target, fetchContext().asRefresh());
      Installed installed = install(target, result, startEpoch, null, true, true);
      byte[] copy = installed.callerCopy;
      audit.record(AuditEvent.Type.REFRESH, target, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(target, installed);
      if (!installed.cached) {
        installed.entry.current.wipe();
      }
      if (copy == null) {
        throw new ProviderUnavailableException(target, "value of " + target + " was invalidated during refresh");
      }
      return toSecret(target, installed.entry.current, copy);
    } catch (SecretException e) {
      s.metrics.refreshFailed(target.scheme());
      audit.record(AuditEvent.Type.REFRESH, target, Failures.outcomeOf(e), null, null, e);
      rememberOutcome(target, e, startEpoch);
      throw e;
    }
  }

  @Override
  public void invalidate(SecretRef ref) {
    try {
      invalidateInside(ref);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private void invalidateInside(SecretRef ref) {
    SecretRef target = route(ref);
    generations.bump(target);
    dropAndWipe(target);
    audit.record(AuditEvent.Type.INVALIDATED, target, AuditEvent.Outcome.SUCCESS, null, null, null);
  }

  @Override
  public void revoke(SecretRef ref) {
    try {
      revokeInside(ref);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private void revokeInside(SecretRef ref) {
    SecretRef target = route(ref);
    generations.bump(target);
    dropAndWipe(target);
    // a revoked value stays masked: copies handed out before may still reach a log line, and the
    // index bounds its own memory (RedactionOptions)
    audit.record(AuditEvent.Type.REVOKED, target, AuditEvent.Outcome.SUCCESS, null, null, null);
  }

  @Override
  public AutoCloseable onChange(SecretRef ref, SecretChangeListener listener) {
    try {
      return onChangeInside(ref, listener);
    } catch (RuntimeException e) {
      throw ExceptionExit.scrub(e);
    }
  }

  private AutoCloseable onChangeInside(SecretRef ref, SecretChangeListener listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    SecretRef target = route(ref);
    listeners.computeIfAbsent(target, k -> new CopyOnWriteArrayList<>()).add(listener);
    return () -> listeners.computeIfPresent(target, (k, list) -> {
      list.remove(listener);
      return list.isEmpty() ? null : list;
    });
  }

  @Override
  public RunEnvironment environment() {
    return s.environment;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    generations.bumpAll();
    maintenance.stop();
    clock.stop();
    if (ownedScheduler != null) {
      ownedScheduler.shutdownNow();
    }
    if (ownedExecutor != null) {
      ownedExecutor.shutdownNow();
      try {
        if (!ownedExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("secrets-sdk refresh threads did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SecretRef ref : List.copyOf(cache.asMap().keySet())) {
      dropAndWipe(ref);
    }
    cache.invalidateAll();
    cache.cleanUp();
    keeper.dropAll();
    if (ownedScheduler != null) {
      try {
        if (!ownedScheduler.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("secrets-sdk maintenance thread did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (SecretProvider p : s.providers.values()) {
      try {
        p.close();
      } catch (RuntimeException e) {
        log.warn("closing the {} provider failed with {}", p.scheme(), e.getClass().getName());
      }
    }
    listeners.clear();
  }

  @Override
  public String toString() {
    return "SecretsClient[environment=" + s.environment + ", providers=" + s.providers.keySet()
        + ", cached=" + cache.estimatedSize() + (closed ? ", closed" : "") + "]";
  }

  /** The cached current value of a ref, for tests in this package that check wiping. */
  CachedValue cachedValueForTest(SecretRef ref) {
    CacheEntry e = cache.getIfPresent(ref);
    return e == null ? null : e.current;
  }

  /** Removes a ref's entry and wipes it now (the removal listener would run later). */
  private void dropAndWipe(SecretRef ref) {
    CacheEntry removed = cache.asMap().remove(ref);
    if (removed != null) {
      removed.wipeAll();
    }
    keeper.drop(ref);
  }

  /** Runs one maintenance pass now, for tests in this package that move a fake ticker. */
  void runMaintenanceForTest() {
    maintenance.runOnce();
  }

  /** Hands a grace-ending warning to the ref's listeners and the audit sink. */
  private void warnGraceEnding(RotationKeeper.GraceWarning w) {
    java.time.Instant endsAt = s.clock.instant().plusNanos(w.nanosLeft());
    audit.graceEnding(w.ref(), w.version(), endsAt);
    List<SecretChangeListener> subscribed = listeners.get(w.ref());
    if (subscribed == null) {
      return;
    }
    CacheEntry e = cache.getIfPresent(w.ref());
    String current = e != null && !e.isNegative() ? e.current.version : w.successor();
    GraceEndingEvent event = new GraceEndingEvent(w.ref(), w.version(), current, endsAt,
        Duration.ofNanos(Math.max(0, w.nanosLeft())));
    for (SecretChangeListener l : subscribed) {
      try {
        l.onGraceEnding(event);
      } catch (RuntimeException ex) {
        log.warn("a change listener for {} threw {}", w.ref(), ex.getClass().getName());
      }
    }
  }

  // ---------------------------------------------------------------- engine

  private Secret resolveChecked(SecretRef ref) {
    for (int attempt = 0; attempt < 3; attempt++) {
      long now = clock.forHit();
      CacheEntry e = cache.getIfPresent(ref);
      if (e != null) {
        if (e.isNegative()) {
          if (now < e.evictAt) {
            SecretException copy = Failures.copyFor(e.failure);
            audit.resolve(ref, Failures.outcomeOf(copy), null, true, copy);
            throw copy;
          }
        } else if (now < e.expiresAt
            || (now < e.evictAt && now < e.nextRefreshAttempt && !e.current.isWiped())) {
          if (now >= e.expiresAt) {
            Secret stale = serve(ref, e, true);
            if (stale != null) {
              return stale;
            }
            continue;
          }
          byte[] copy = e.current.copyOrNull();
          if (copy != null) {
            e.markRead(now);
            if (now >= e.refreshAt && now >= e.nextRefreshAttempt) {
              scheduleRefresh(ref, e);
            }
            if (audit.isEnabled(AuditEvent.Type.RESOLVE, true)) {
              audit.record(AuditEvent.Type.RESOLVE, ref, AuditEvent.Outcome.SUCCESS, e.current, true, null);
            }
            s.metrics.resolved(ref.scheme(), true, "success");
            return toSecret(ref, e.current, copy);
          }
        }
      }
      Secret loaded = load(ref, e);
      if (loaded != null) {
        return loaded;
      }
      // the entry we loaded or joined was invalidated before we could copy it: look again
    }
    throw new ProviderUnavailableException(ref, ref + " was invalidated repeatedly while loading");
  }

  /** The miss path: one in-flight load per ref; joiners wait without holding any lock. */
  private Secret load(SecretRef ref, CacheEntry seen) {
    CompletableFuture<CacheEntry> mine = new CompletableFuture<>();
    CompletableFuture<CacheEntry> running = inFlight.putIfAbsent(ref, mine);
    if (running != null) {
      CacheEntry e;
      try {
        e = running.get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new ProviderUnavailableException(ref, "interrupted while waiting for " + ref);
      } catch (ExecutionException ee) {
        SecretException failure = ee.getCause() instanceof SecretException
            ? Failures.copyFor((SecretException) ee.getCause())
            : new ProviderUnavailableException(ref, "loading " + ref + " failed");
        audit.resolve(ref, Failures.outcomeOf(failure), null, false, failure);
        throw failure;
      }
      Secret joined = serve(ref, e, false);
      if (joined == null) {
        joined = serveNewer(ref, e);
      }
      if (joined == null) {
        // a finished load whose value is already gone (evicted, replaced): the next attempt loads
        // afresh instead of joining it again
        inFlight.remove(ref, running);
      }
      return joined;
    }
    try {
      CacheEntry now = cache.getIfPresent(ref);
      long t = clock.now();
      if (now != null && now != seen && !now.isNegative() && t < now.expiresAt) {
        mine.complete(now);
        return serve(ref, now, true);
      }
      CacheEntry previous = now != null ? now : seen;
      long startEpoch = generations.of(ref);
      try {
        FetchResult result = loader.fetch(ref, fetchContext());
        Installed installed = install(ref, result, startEpoch, previous, true, true);
        mine.complete(installed.entry);
        afterInstall(ref, installed);
        // the leader serves the copy it took before publishing: a concurrent eviction or newer
        // load cannot take the value it fetched away from it
        Secret secret = serveCopy(ref, installed.entry, installed.callerCopy, false);
        if (!installed.cached) {
          installed.entry.current.wipe(); // served once, never cached
        }
        return secret;
      } catch (ProviderUnavailableException unavailable) {
        // stale-if-error: a value still inside its TTL or allowed stale window is served
        if (previous != null && !previous.isNegative() && clock.now() < previous.evictAt
            && !previous.current.isWiped()) {
          // served stale, and no other provider call for this ref before the backoff ends
          previous.nextRefreshAttempt = clock.now() + missBackoffNanos(1);
          mine.complete(previous);
          s.metrics.refreshFailed(ref.scheme());
          return serve(ref, previous, false);
        }
        if (previous != null && !previous.isNegative() && cache.asMap().remove(ref, previous)) {
          previous.wipeAll(); // past its TTL and stale window: nothing may serve it any more
        }
        backOffMiss(ref, unavailable, startEpoch, previous);
        mine.completeExceptionally(unavailable);
        audit.resolve(ref, AuditEvent.Outcome.UNAVAILABLE, null, false, unavailable);
        throw unavailable;
      } catch (SecretException failure) {
        rememberFailure(ref, failure, startEpoch);
        mine.completeExceptionally(failure);
        audit.resolve(ref, Failures.outcomeOf(failure), null, false, failure);
        throw failure;
      }
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(ref, mine);
    }
  }

  /**
   * The value of an entry that replaced {@code wiped} while a caller was about to copy it (a
   * newer load finished first): at least as fresh as the one the caller waited for. Null when
   * there is none, and the caller looks again.
   */
  private Secret serveNewer(SecretRef ref, CacheEntry wiped) {
    CacheEntry newer = cache.getIfPresent(ref);
    return newer != null && newer != wiped && !newer.isNegative() ? serve(ref, newer, false) : null;
  }

  /** Copies a value out of a loaded entry, or returns null when it was wiped meanwhile. */
  private Secret serve(SecretRef ref, CacheEntry e, boolean hit) {
    if (e.isNegative()) {
      SecretException copy = Failures.copyFor(e.failure);
      audit.resolve(ref, Failures.outcomeOf(copy), null, hit, copy);
      throw copy;
    }
    return serveCopy(ref, e, e.current.copyOrNull(), hit);
  }

  /** A {@code Secret} of {@code copy} (taken from {@code e}), or null when there is no copy. */
  private Secret serveCopy(SecretRef ref, CacheEntry e, byte[] copy, boolean hit) {
    if (copy == null) {
      return null;
    }
    boolean stale = clock.now() >= e.expiresAt;
    if (stale) {
      s.metrics.staleServed(ref.scheme());
    }
    audit.resolve(ref, stale ? AuditEvent.Outcome.STALE : AuditEvent.Outcome.SUCCESS, e.current, hit, null);
    return toSecret(ref, e.current, copy);
  }

  private void scheduleRefresh(SecretRef ref, CacheEntry e) {
    // a plain read first: while a refresh runs, every hit would otherwise contend on the CAS
    if (closed || e.refreshing.get() || !e.refreshing.compareAndSet(false, true)) {
      return;
    }
    try {
      refreshExecutor.execute(() -> backgroundRefresh(ref, e));
    } catch (RejectedExecutionException rejected) {
      e.refreshing.set(false);
    }
  }

  private void backgroundRefresh(SecretRef ref, CacheEntry e) {
    long startEpoch = generations.of(ref);
    try {
      if (closed) {
        return;
      }
      FetchResult result = loader.fetch(ref, fetchContext().asRefresh());
      Installed installed = install(ref, result, startEpoch, e, false, false);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
    } catch (ProviderUnavailableException unavailable) {
      s.metrics.refreshFailed(ref.scheme());
      backOffRefresh(e);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.UNAVAILABLE, e.current, null, unavailable);
    } catch (SecretException failure) {
      audit.record(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), e.current, null, failure);
      if (isGoneOrForbidden(failure)) {
        // the provider says the secret is gone or forbidden: stop serving it
        rememberFailure(ref, failure, startEpoch);
      } else {
        // any other failure keeps the value until it expires, and backs off like an outage
        s.metrics.refreshFailed(ref.scheme());
        backOffRefresh(e);
      }
    } catch (RuntimeException unexpected) {
      s.metrics.refreshFailed(ref.scheme());
      backOffRefresh(e);
      log.warn("background refresh of {} failed with {}", ref, unexpected.getClass().getName());
    } finally {
      e.refreshing.set(false);
    }
  }

  /**
   * After a failed background refresh, reads start no other before a quarter of the remaining
   * validity has passed (at least the initial backoff): at most one provider call per interval.
   */
  private void backOffRefresh(CacheEntry e) {
    long now = clock.now();
    e.nextRefreshAttempt = now + Math.max(s.initialBackoff.toNanos(), (e.expiresAt - now) / 4);
  }

  private static boolean isGoneOrForbidden(SecretException failure) {
    return failure instanceof SecretNotFoundException
        || failure instanceof SecretAccessDeniedException
        || failure instanceof PolicyViolationException;
  }

  /**
   * Backoff after {@code failures} transient failures in a row: the initial backoff doubled per
   * failure up to the maximum, with equal jitter (half fixed, half random) so that clients that
   * failed together do not come back together.
   */
  private long missBackoffNanos(int failures) {
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
  private void rememberFailure(SecretRef ref, SecretException failure, long startEpoch) {
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
  private SecretException backingOff(SecretRef ref) {
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
  private void rememberOutcome(SecretRef ref, SecretException failure, long startEpoch) {
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
  private void backOffMiss(SecretRef ref, ProviderUnavailableException failure, long startEpoch,
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
  private static final class Installed {
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
  private Installed install(SecretRef ref, FetchResult result, long startEpoch, CacheEntry expectedOld,
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

  /** Fires change listeners and the rotation audit event, outside any lock. */
  private void afterInstall(SecretRef ref, Installed installed) {
    s.metrics.refreshSucceeded(ref.scheme());
    if (!installed.rotated) {
      return;
    }
    s.metrics.rotationSeen(ref.scheme());
    String oldVersion = installed.replaced.current.version;
    String newVersion = installed.entry.current.version;
    audit.record(AuditEvent.Type.ROTATION_SEEN, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
    List<SecretChangeListener> subscribed = listeners.get(ref);
    if (subscribed == null) {
      return;
    }
    SecretChangeEvent event = new SecretChangeEvent(ref, oldVersion, newVersion, s.clock.instant());
    for (SecretChangeListener l : subscribed) {
      try {
        l.onChange(event);
      } catch (RuntimeException e) {
        log.warn("a change listener for {} threw {}", ref, e.getClass().getName());
      }
    }
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

  // ---------------------------------------------------------------- provider calls

  private FetchContext fetchContext() {
    return FetchContext.of(s.environment, s.principal, Auditor.correlationId(),
        s.policy.requiredMetadata());
  }

  // ---------------------------------------------------------------- routing, policy, audit

  private SecretRef route(SecretRef ref) {
    java.util.Objects.requireNonNull(ref, "ref");
    String scheme = s.aliases.getOrDefault(ref.scheme(), ref.scheme());
    if (!s.providers.containsKey(scheme)) {
      throw new InvalidSecretRefException(ref, "no provider is registered for scheme '"
          + ref.scheme() + "' (registered: " + s.providers.keySet() + ")");
    }
    return scheme.equals(ref.scheme()) ? ref : ref.withScheme(scheme);
  }

  private RegistryEntry registryEntry(String name) {
    java.util.Objects.requireNonNull(name, "name");
    return s.registry.entry(name, s.environment).orElseThrow(() -> new SecretConfigException(
        null, 0, name, "the registry has no entry for this name in environment "
            + s.environment.registryKeys()));
  }

  private void checkPolicy(String name, SecretRef asWritten, SecretRef target) {
    if (name == null && allowedRefs.containsKey(asWritten)) {
      return; // the policy is immutable: a ref it allowed once it allows again
    }
    try {
      RegistryEntry entry = name == null ? registryByRef.get(asWritten) : null;
      if (entry != null) {
        // a ref the registry names for this environment is checked as that name would be
        s.policy.check(entry, s.environment);
      } else {
        s.policy.check(name, asWritten, s.environment);
      }
      if (name == null && allowedRefs.size() < MAX_ALLOWED_REFS) {
        allowedRefs.put(asWritten, Boolean.TRUE);
      }
    } catch (PolicyViolationException denied) {
      audit.record(AuditEvent.Type.DENIED, target, AuditEvent.Outcome.DENIED, null, null, denied);
      s.metrics.resolved(target.scheme(), false, "denied");
      throw denied;
    }
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

  /** Hands {@code copy} (already the caller's own) to a new Secret without copying it again. */
  private Secret toSecret(SecretRef ref, CachedValue v, byte[] copy) {
    return s.secretMaker.make(ref, copy, v.version, v.createdAt, v.metadata);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the SecretsClient is closed");
    }
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

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
