package io.secretsdk.internal;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.RegistryEntry;
import io.secretsdk.config.SecretPolicy;
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
  private final EntryStore store;
  private final Map<SecretRef, CompletableFuture<CacheEntry>> inFlight = new ConcurrentHashMap<>();
  private final Map<SecretRef, List<SecretChangeListener>> listeners = new ConcurrentHashMap<>();
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
  private volatile boolean closed;

  /** Built by {@code SecretsClient.Builder} only. */
  public DefaultSecretsClient(ClientSettings settings) {
    this.s = settings;
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
    this.store = new EntryStore(settings, clock, keeper, audit);
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
    this.maintenance = new Maintenance(store, clock, keeper, settings.keepWarmTtls,
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
        SecretException backingOff = store.backingOff(target);
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
      group.getValue().forEach(r -> starts.put(r, store.generation(r)));
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
          store.rememberOutcome(ref, failure, startEpoch);
          audit.record(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), null, null, failure);
          failures.put(ref, failure);
          continue;
        }
        try {
          EntryStore.Installed installed = store.install(ref, outcome.result().get(), startEpoch, null, false, true);
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
      EntryStore.Installed installed = store.install(ref, result, startGeneration, null, false, true);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
      if (!installed.cached) {
        installed.entry.current.wipe();
      }
    } catch (SecretException failure) {
      store.rememberOutcome(ref, failure, startGeneration);
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
    SecretException backingOff = store.backingOff(target);
    if (backingOff != null) {
      audit.record(AuditEvent.Type.REFRESH, target, Failures.outcomeOf(backingOff), null, null,
          backingOff);
      throw backingOff;
    }
    long startEpoch = store.generation(target);
    try {
      FetchResult result = loader.fetch(target, fetchContext().asRefresh());
      EntryStore.Installed installed = store.install(target, result, startEpoch, null, true, true);
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
      store.rememberOutcome(target, e, startEpoch);
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
    store.bump(target);
    store.dropAndWipe(target);
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
    store.bump(target);
    store.dropAndWipe(target);
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
    store.clear();
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
        + ", cached=" + store.size() + (closed ? ", closed" : "") + "]";
  }

  /** The cached current value of a ref, for tests in this package that check wiping. */
  CachedValue cachedValueForTest(SecretRef ref) {
    CacheEntry e = store.get(ref);
    return e == null ? null : e.current;
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
    CacheEntry e = store.get(w.ref());
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
      CacheEntry e = store.get(ref);
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
      CacheEntry now = store.get(ref);
      long t = clock.now();
      if (now != null && now != seen && !now.isNegative() && t < now.expiresAt) {
        mine.complete(now);
        return serve(ref, now, true);
      }
      CacheEntry previous = now != null ? now : seen;
      long startEpoch = store.generation(ref);
      try {
        FetchResult result = loader.fetch(ref, fetchContext());
        EntryStore.Installed installed = store.install(ref, result, startEpoch, previous, true, true);
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
          previous.nextRefreshAttempt = clock.now() + store.missBackoffNanos(1);
          mine.complete(previous);
          s.metrics.refreshFailed(ref.scheme());
          return serve(ref, previous, false);
        }
        if (previous != null && !previous.isNegative() && store.removeAndWipe(ref, previous)) {
          log.trace("dropped the expired value of {}", ref); // nothing may serve it any more
        }
        store.backOffMiss(ref, unavailable, startEpoch, previous);
        mine.completeExceptionally(unavailable);
        audit.resolve(ref, AuditEvent.Outcome.UNAVAILABLE, null, false, unavailable);
        throw unavailable;
      } catch (SecretException failure) {
        store.rememberFailure(ref, failure, startEpoch);
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
    CacheEntry newer = store.get(ref);
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
    if (closed || !e.claimRefresh()) {
      return;
    }
    try {
      refreshExecutor.execute(() -> backgroundRefresh(ref, e));
    } catch (RejectedExecutionException rejected) {
      e.releaseRefresh();
    }
  }

  private void backgroundRefresh(SecretRef ref, CacheEntry e) {
    long startEpoch = store.generation(ref);
    try {
      if (closed) {
        return;
      }
      FetchResult result = loader.fetch(ref, fetchContext().asRefresh());
      EntryStore.Installed installed = store.install(ref, result, startEpoch, e, false, false);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
    } catch (ProviderUnavailableException unavailable) {
      s.metrics.refreshFailed(ref.scheme());
      store.backOffRefresh(e);
      audit.record(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.UNAVAILABLE, e.current, null, unavailable);
    } catch (SecretException failure) {
      audit.record(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), e.current, null, failure);
      if (EntryStore.isGoneOrForbidden(failure)) {
        // the provider says the secret is gone or forbidden: stop serving it
        store.rememberFailure(ref, failure, startEpoch);
      } else {
        // any other failure keeps the value until it expires, and backs off like an outage
        s.metrics.refreshFailed(ref.scheme());
        store.backOffRefresh(e);
      }
    } catch (RuntimeException unexpected) {
      s.metrics.refreshFailed(ref.scheme());
      store.backOffRefresh(e);
      log.warn("background refresh of {} failed with {}", ref, unexpected.getClass().getName());
    } finally {
      e.releaseRefresh();
    }
  }

  /** Fires change listeners and the rotation audit event, outside any lock. */
  private void afterInstall(SecretRef ref, EntryStore.Installed installed) {
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
    if (s.policy == SecretPolicy.permissive()) {
      return; // allows every ref: nothing to check, and nothing to remember per ref
    }
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

  /** Hands {@code copy} (already the caller's own) to a new Secret without copying it again. */
  private Secret toSecret(SecretRef ref, CachedValue v, byte[] copy) {
    return s.secretMaker.make(ref, copy, v.version, v.createdAt, v.metadata);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the SecretsClient is closed");
    }
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
