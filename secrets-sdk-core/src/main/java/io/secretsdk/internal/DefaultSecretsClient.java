package io.secretsdk.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
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
import io.secretsdk.event.AuditSink;
import io.secretsdk.event.SecretChangeEvent;
import io.secretsdk.event.SecretChangeListener;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

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
  private static final String[] CORRELATION_KEYS = {"correlationId", "correlation_id", "traceId"};
  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  private final ClientSettings s;
  private final Cache<SecretRef, CacheEntry> cache;
  private final Map<SecretRef, CompletableFuture<CacheEntry>> inFlight = new ConcurrentHashMap<>();
  private final Map<SecretRef, List<SecretChangeListener>> listeners = new ConcurrentHashMap<>();
  private final Map<SecretRef, Duration> registryCaps;
  private final Map<SecretRef, RegistryEntry> registryByRef;
  private final Executor refreshExecutor;
  private final ExecutorService ownedExecutor;
  private final AuditSink audit;
  private final boolean staleAllowed;
  private final long capNanos;
  private final String host;
  private final long pid;
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
    this.audit = settings.auditSink != null ? settings.auditSink : new Slf4jAuditSink();
    this.host = hostName();
    this.pid = ProcessHandle.current().pid();
    if (settings.refreshExecutor != null) {
      this.refreshExecutor = settings.refreshExecutor;
      this.ownedExecutor = null;
    } else {
      ThreadPoolExecutor pool = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
          new LinkedBlockingQueue<>(), daemonThreads("secrets-sdk-refresh-" + CLIENT_IDS.incrementAndGet()));
      pool.allowCoreThreadTimeOut(true);
      this.ownedExecutor = pool;
      this.refreshExecutor = pool;
    }
    this.cache = Caffeine.newBuilder()
        .maximumSize(settings.maximumSize)
        .ticker(settings.ticker::read)
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
      audit(AuditEvent.Type.DENIED, target, AuditEvent.Outcome.DENIED, null, null, denied);
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
    all.add(resolveChecked(target));
    CacheEntry e = cache.getIfPresent(target);
    if (e != null && !e.isNegative()) {
      long now = s.ticker.read();
      long grace = s.rotationGrace.toNanos();
      for (CacheEntry.Retired r : e.previous) {
        if (now - r.retiredAt < grace) {
          byte[] copy = r.value.copyOrNull();
          if (copy != null) {
            all.add(toSecret(target, r.value, copy));
          }
        }
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
          rememberFailure(ref, failure, startEpoch);
          audit(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), null, null, failure);
          failures.put(ref, failure);
          continue;
        }
        try {
          Installed installed = install(ref, outcome.result().get(), startEpoch, null);
          audit(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
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
      FetchResult result = fetchWithRetry(ref, false);
      Installed installed = install(ref, result, startGeneration, null);
      audit(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
      if (!installed.cached) {
        installed.entry.current.wipe();
      }
    } catch (SecretException failure) {
      rememberFailure(ref, failure, startGeneration);
      audit(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), null, null, failure);
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
    long startEpoch = generations.of(target);
    try {
      FetchResult result = fetchWithRetry(target, true);
      Installed installed = install(target, result, startEpoch, null, true);
      byte[] copy = installed.callerCopy;
      audit(AuditEvent.Type.REFRESH, target, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
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
      audit(AuditEvent.Type.REFRESH, target, Failures.outcomeOf(e), null, null, e);
      rememberFailure(target, e, startEpoch);
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
    audit(AuditEvent.Type.INVALIDATED, target, AuditEvent.Outcome.SUCCESS, null, null, null);
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
    audit(AuditEvent.Type.REVOKED, target, AuditEvent.Outcome.SUCCESS, null, null, null);
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
  }

  // ---------------------------------------------------------------- engine

  private Secret resolveChecked(SecretRef ref) {
    for (int attempt = 0; attempt < 3; attempt++) {
      long now = s.ticker.read();
      CacheEntry e = cache.getIfPresent(ref);
      if (e != null) {
        if (e.isNegative()) {
          if (now < e.evictAt) {
            SecretException copy = Failures.copyFor(e.failure);
            auditResolve(ref, Failures.outcomeOf(copy), null, true, copy);
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
            if (now >= e.refreshAt && now >= e.nextRefreshAttempt) {
              scheduleRefresh(ref, e);
            }
            if (audit.isEnabled(AuditEvent.Type.RESOLVE, true)) {
              audit(AuditEvent.Type.RESOLVE, ref, AuditEvent.Outcome.SUCCESS, e.current, true, null);
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
        auditResolve(ref, Failures.outcomeOf(failure), null, false, failure);
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
      long t = s.ticker.read();
      if (now != null && now != seen && !now.isNegative() && t < now.expiresAt) {
        mine.complete(now);
        return serve(ref, now, true);
      }
      CacheEntry previous = now != null ? now : seen;
      long startEpoch = generations.of(ref);
      try {
        FetchResult result = fetchWithRetry(ref, false);
        Installed installed = install(ref, result, startEpoch, previous, true);
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
        if (previous != null && !previous.isNegative() && s.ticker.read() < previous.evictAt
            && !previous.current.isWiped()) {
          // served stale, and no other provider call for this ref before the backoff ends
          previous.nextRefreshAttempt = s.ticker.read() + missBackoffNanos(1);
          mine.complete(previous);
          s.metrics.refreshFailed(ref.scheme());
          return serve(ref, previous, false);
        }
        if (previous != null && !previous.isNegative() && cache.asMap().remove(ref, previous)) {
          previous.wipeAll(); // past its TTL and stale window: nothing may serve it any more
        }
        backOffMiss(ref, unavailable, startEpoch, previous);
        mine.completeExceptionally(unavailable);
        auditResolve(ref, AuditEvent.Outcome.UNAVAILABLE, null, false, unavailable);
        throw unavailable;
      } catch (SecretException failure) {
        rememberFailure(ref, failure, startEpoch);
        mine.completeExceptionally(failure);
        auditResolve(ref, Failures.outcomeOf(failure), null, false, failure);
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
      auditResolve(ref, Failures.outcomeOf(copy), null, hit, copy);
      throw copy;
    }
    return serveCopy(ref, e, e.current.copyOrNull(), hit);
  }

  /** A {@code Secret} of {@code copy} (taken from {@code e}), or null when there is no copy. */
  private Secret serveCopy(SecretRef ref, CacheEntry e, byte[] copy, boolean hit) {
    if (copy == null) {
      return null;
    }
    boolean stale = s.ticker.read() >= e.expiresAt;
    if (stale) {
      s.metrics.staleServed(ref.scheme());
    }
    auditResolve(ref, stale ? AuditEvent.Outcome.STALE : AuditEvent.Outcome.SUCCESS, e.current, hit, null);
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
      FetchResult result = fetchWithRetry(ref, true);
      Installed installed = install(ref, result, startEpoch, e);
      audit(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
      afterInstall(ref, installed);
    } catch (ProviderUnavailableException unavailable) {
      s.metrics.refreshFailed(ref.scheme());
      backOffRefresh(e);
      audit(AuditEvent.Type.REFRESH, ref, AuditEvent.Outcome.UNAVAILABLE, e.current, null, unavailable);
    } catch (SecretException failure) {
      audit(AuditEvent.Type.REFRESH, ref, Failures.outcomeOf(failure), e.current, null, failure);
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
    long now = s.ticker.read();
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
    long now = s.ticker.read();
    CacheEntry[] replaced = new CacheEntry[1];
    cache.asMap().compute(ref, (k, cur) -> {
      if (generations.of(ref) != startEpoch && cur != null) {
        return cur;
      }
      if (cur != null && !cur.isNegative() && !replacesValue) {
        return cur;
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
  }

  /**
   * After a miss failed transiently with nothing to serve, the ref backs off: resolves within the
   * backoff get a copy of the failure without a provider call.
   */
  private void backOffMiss(SecretRef ref, ProviderUnavailableException failure, long startEpoch,
      CacheEntry previous) {
    int failures = previous != null && previous.isNegative() ? previous.failures + 1 : 1;
    long now = s.ticker.read();
    long until = now + missBackoffNanos(failures);
    cache.asMap().compute(ref, (k, cur) -> {
      if (generations.of(ref) != startEpoch || (cur != null && !cur.isNegative())) {
        return cur;
      }
      return CacheEntry.negative(failure, now, until, failures);
    });
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
   * Turns a fetch result into the ref's new entry, carrying the replaced value into the rotation
   * grace list when its version changed. Never does I/O inside {@code compute}.
   */
  private Installed install(SecretRef ref, FetchResult result, long startEpoch, CacheEntry expectedOld) {
    return install(ref, result, startEpoch, expectedOld, false);
  }

  private Installed install(SecretRef ref, FetchResult result, long startEpoch, CacheEntry expectedOld,
      boolean withCallerCopy) {
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
        result.createdAt().orElse(null), shown(result.metadata()), fingerprint(bytes));
    byte[] callerCopy = withCallerCopy ? value.copyOrNull() : null;
    Installed installed = installValue(ref, value, result, startEpoch, expectedOld);
    installed.callerCopy = callerCopy;
    return installed;
  }

  private Installed installValue(SecretRef ref, CachedValue value, FetchResult result,
      long startEpoch, CacheEntry expectedOld) {
    long now = s.ticker.read();
    long ttl = ttlNanos(ref, result);
    double point = s.refreshAhead - ThreadLocalRandom.current().nextDouble() * s.refreshJitter;
    long refreshAt = now + (long) (ttl * point);
    long expiresAt = now + ttl;
    long evictAt = staleAllowed ? expiresAt + s.maxStale.toNanos() : expiresAt;
    long grace = s.rotationGrace.toNanos();

    CacheEntry[] old = new CacheEntry[1];
    boolean[] rotated = new boolean[1];
    CacheEntry[] built = new CacheEntry[1];
    if (ttl > 0 && generations.of(ref) == startEpoch) {
      cache.asMap().compute(ref, (k, cur) -> {
        if (generations.of(ref) != startEpoch) {
          return cur;
        }
        old[0] = cur;
        List<CacheEntry.Retired> previous = new ArrayList<>();
        if (cur != null && !cur.isNegative()) {
          rotated[0] = isRotation(cur.current, value);
          if (rotated[0]) {
            previous.add(new CacheEntry.Retired(cur.current, now));
          }
          for (CacheEntry.Retired r : cur.previous) {
            if (now - r.retiredAt < grace) {
              previous.add(r);
            }
          }
        }
        built[0] = CacheEntry.value(value, previous, now, refreshAt, expiresAt, evictAt);
        return built[0];
      });
    }
    if (built[0] == null) {
      // not cacheable (zero TTL, or invalidated while fetching): serve once, cache nothing
      CacheEntry transientEntry = CacheEntry.value(value, List.of(), now, expiresAt, expiresAt, expiresAt);
      return new Installed(transientEntry, null, false, false);
    }
    CacheEntry replaced = old[0];
    if (replaced != null) {
      if (replaced.isNegative()) {
        // nothing to wipe
      } else {
        if (!rotated[0]) {
          replaced.current.wipe();
        }
        for (CacheEntry.Retired r : replaced.previous) {
          if (!built[0].previous.contains(r)) {
            r.value.wipe();
          }
        }
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
    audit(AuditEvent.Type.ROTATION_SEEN, ref, AuditEvent.Outcome.SUCCESS, installed.entry.current, null, null);
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

  private FetchResult fetchWithRetry(SecretRef ref, boolean refresh) {
    SecretProvider provider = s.providers.get(ref.scheme());
    FetchContext context = refresh ? fetchContext().asRefresh() : fetchContext();
    long deadline = s.ticker.read() + s.maxRetryDuration.toNanos();
    RetryConfig config = RetryConfig.<FetchResult>custom()
        .maxAttempts(s.maxAttempts)
        .retryOnException(t -> isRetryable(t, deadline))
        .intervalBiFunction((attempt, outcome) -> backoffMillis(attempt,
            outcome.isLeft() ? outcome.getLeft() : null, deadline))
        .failAfterMaxAttempts(false)
        .build();
    Retry retry = Retry.of("secrets-sdk:" + ref.scheme(), config);
    retry.getEventPublisher().onRetry(e -> s.metrics.retried(ref.scheme(), e.getWaitInterval()));
    return retry.executeSupplier(() -> fetchOnce(provider, ref, context));
  }

  private FetchContext fetchContext() {
    return FetchContext.of(s.environment, s.principal, correlationId(), s.policy.requiredMetadata());
  }

  private FetchResult fetchOnce(SecretProvider provider, SecretRef ref, FetchContext context) {
    long start = s.ticker.read();
    boolean ok = false;
    try {
      FetchResult r = provider.fetch(ref, context);
      if (r == null) {
        throw new ProviderUnavailableException(ref, "the " + ref.scheme()
            + " provider returned no result for " + ref);
      }
      ok = true;
      return r;
    } catch (SecretException e) {
      throw ExceptionExit.scrub(e); // nothing the provider wrote is kept, not even in the cache
    } catch (RuntimeException e) {
      throw Failures.fromUnexpected(ref, ref.scheme(), e);
    } finally {
      s.metrics.fetched(ref.scheme(), s.ticker.read() - start, ok);
    }
  }

  private boolean isRetryable(Throwable t, long deadline) {
    if (!(t instanceof ProviderUnavailableException) || t instanceof Failures.UnexpectedFailure
        || closed) {
      return false;
    }
    long remaining = deadline - s.ticker.read();
    Optional<Duration> retryAfter = ((ProviderUnavailableException) t).retryAfter();
    return remaining > 0 && (retryAfter.isEmpty() || retryAfter.get().toNanos() <= remaining);
  }

  /** Full-jitter exponential backoff, or the provider's Retry-After, within the time left. */
  private long backoffMillis(int attempt, Throwable failure, long deadline) {
    long remainingMillis = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - s.ticker.read()));
    if (failure instanceof ProviderUnavailableException) {
      Optional<Duration> retryAfter = ((ProviderUnavailableException) failure).retryAfter();
      if (retryAfter.isPresent()) {
        return Math.min(retryAfter.get().toMillis(), remainingMillis);
      }
    }
    long base = s.initialBackoff.toMillis();
    long cap = s.maxBackoff.toMillis();
    long exp = attempt >= 31 ? cap : Math.min(cap, base << Math.max(0, attempt - 1));
    long wait = ThreadLocalRandom.current().nextLong(exp + 1);
    return Math.min(wait, remainingMillis);
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
    try {
      RegistryEntry entry = name == null ? registryByRef.get(asWritten) : null;
      if (entry != null) {
        // a ref the registry names for this environment is checked as that name would be
        s.policy.check(entry, s.environment);
        return;
      }
      s.policy.check(name, asWritten, s.environment);
    } catch (PolicyViolationException denied) {
      audit(AuditEvent.Type.DENIED, target, AuditEvent.Outcome.DENIED, null, null, denied);
      s.metrics.resolved(target.scheme(), false, "denied");
      throw denied;
    }
  }

  private void auditResolve(SecretRef ref, AuditEvent.Outcome outcome, CachedValue value,
      boolean hit, SecretException failure) {
    s.metrics.resolved(ref.scheme(), hit, outcome.name().toLowerCase(java.util.Locale.ROOT));
    audit(AuditEvent.Type.RESOLVE, ref, outcome, value, hit, failure);
  }

  private void audit(AuditEvent.Type type, SecretRef ref, AuditEvent.Outcome outcome,
      CachedValue value, Boolean hit, SecretException failure) {
    try {
      if (!audit.isEnabled(type, Boolean.TRUE.equals(hit))) {
        return;
      }
      AuditEvent.Builder b = AuditEvent.builder(type, ref)
          .outcome(outcome)
          .time(s.clock.instant())
          .principal(s.principal)
          .where(host, pid)
          .justification(s.justification)
          .correlationId(correlationId())
          .cacheHit(hit);
      if (value != null) {
        b.version(value.version).fingerprint(value.fingerprint);
      }
      if (failure != null) {
        b.errorType(failure.getClass().getSimpleName());
      }
      audit.record(b.build());
    } catch (RuntimeException e) {
      log.warn("the audit sink threw {}", e.getClass().getName());
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

  private String fingerprint(byte[] value) {
    if (s.fingerprintKey == null) {
      return null;
    }
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(s.fingerprintKey, "HmacSHA256"));
      return "hmac-sha256:" + HexFormat.of().formatHex(mac.doFinal(value));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }

  private static String correlationId() {
    for (String key : CORRELATION_KEYS) {
      String v = MDC.get(key);
      if (v != null && !v.isEmpty()) {
        return ProviderText.shown(v);
      }
    }
    return null;
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

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      Path p = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(p)) {
        return Files.readString(p, StandardCharsets.US_ASCII).trim();
      }
    } catch (java.io.IOException | RuntimeException e) {
      // fall through
    }
    return "unknown";
  }
}
