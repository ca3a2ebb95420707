package io.secretsdk;

import io.secretsdk.config.SecretPolicy;
import io.secretsdk.config.SecretRegistry;
import io.secretsdk.event.AuditSink;
import io.secretsdk.event.SecretChangeListener;
import io.secretsdk.internal.ClientSettings;
import io.secretsdk.internal.DefaultSecretsClient;
import io.secretsdk.internal.ExceptionExit;
import io.secretsdk.internal.ProviderDiscovery;
import io.secretsdk.metrics.SecretsMetrics;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.ProviderSettings;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.spi.SecretProviderFactory;
import io.secretsdk.spi.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * What runner code holds to turn {@link SecretRef}s into {@link Secret}s.
 *
 * <p>Build one per process with {@link #builder()} and share it: it is thread-safe. A resolve
 * checks the policy (a denial is audited and thrown before any provider call), serves from the
 * cache when it can, and otherwise makes one provider call however many threads ask at once.
 * Values are refreshed in the background before they expire; transient provider failures are
 * retried with backoff; a value whose refreshes keep failing is served until its TTL ends (and,
 * only when configured, a bounded stale window after). Every caller gets its own {@link Secret}
 * copy, which it should {@link Secret#close() close}.
 *
 * <pre>{@code
 * MemSecretProvider mem = MemSecretProvider.create();
 * mem.put("test/openai", "sk-test-value");
 * try (SecretsClient client = SecretsClient.builder().provider(mem).build();
 *      Secret key = client.resolve("mem://test/openai")) {
 *   callVendor(key.reveal());
 * }
 * }</pre>
 *
 * <p>{@link #close()} stops background work, wipes every cached value and closes the providers
 * registered on the builder (the client owns them).
 */
public interface SecretsClient extends AutoCloseable {

  /** Starts building a client. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Builds a client from process environment variables, for configuration-driven set-up:
   * <ul>
   *   <li>{@code SECRETS_SDK_PROVIDERS}: comma-separated schemes whose providers are built from
   *       their factories (default {@code env,file}); each provider reads its own variables
   *       ({@code VAULT_ADDR}, …);
   *   <li>{@code SECRETS_SDK_FACTORIES}: class names of custom factories to allow besides the
   *       SDK's own (nothing else found on the classpath is ever instantiated);
   *   <li>{@code SECRETS_SDK_ALIASES}: e.g. {@code kv=vault,secret=vault};
   *   <li>{@code SECRETS_SDK_REGISTRY}, {@code SECRETS_SDK_POLICY}: paths of the registry and
   *       policy files (optional);
   *   <li>{@code SECRETS_SDK_ENV}: {@code local}, {@code ci} or {@code prod} (else detected).
   * </ul>
   *
   * @throws SecretConfigException if a variable is malformed, a file does not load, or no allowed
   *     factory serves a listed scheme
   */
  static SecretsClient fromEnvironment() {
    return Builder.fromEnvironment(System.getenv()).build();
  }

  /**
   * Resolves a ref to its current value.
   *
   * @return a new {@link Secret} owned by the caller
   * @throws PolicyViolationException if the policy forbids the ref (no provider was called)
   * @throws InvalidSecretRefException if no provider serves the ref's scheme, or the provider
   *     cannot interpret the ref
   * @throws SecretNotFoundException if the provider has no such secret
   * @throws SecretAccessDeniedException if the provider refused access
   * @throws ProviderUnavailableException if the provider stayed unreachable through all retries
   *     and no cached value may be served
   * @throws IllegalStateException if the client is closed
   */
  Secret resolve(SecretRef ref);

  /**
   * Parses and resolves a ref.
   *
   * @throws InvalidSecretRefException if {@code ref} does not parse
   * @see #resolve(SecretRef)
   */
  default Secret resolve(String ref) {
    return resolve(SecretRef.parse(ref));
  }

  /**
   * Resolves a registry name (e.g. {@code openai}) for this client's run environment.
   *
   * @throws SecretConfigException if the registry has no entry for the name in this environment
   * @see #resolve(SecretRef)
   */
  Secret resolveByName(String name);

  /**
   * The ref a registry name maps to in this client's run environment; lets value-free code (the
   * kernel) hold refs.
   *
   * @throws SecretConfigException if the registry has no entry for the name in this environment
   */
  SecretRef refOf(String name);

  /**
   * The current value followed by previous versions that are still within the rotation grace
   * window (newest first), e.g. to verify a webhook signature made with the key being rotated out.
   *
   * @see #resolve(SecretRef)
   */
  List<Secret> resolveAll(SecretRef ref);

  /**
   * Loads many refs into the cache at once, through each provider's batch fetch where it has one
   * (AWS {@code BatchGetSecretValue}); e.g. at start-up, so the first requests do not wait.
   * Refs the policy denies are not fetched.
   *
   * @return the failure of each ref that did not load (empty when all loaded)
   * @throws IllegalStateException if the client is closed
   */
  Map<SecretRef, SecretException> warmUp(java.util.Collection<SecretRef> refs);

  /**
   * Fetches the ref now, bypassing the cache, and returns once the new value is cached.
   *
   * @see #resolve(SecretRef)
   */
  Secret refresh(SecretRef ref);

  /** Drops and wipes cached material for the ref at once; the next resolve fetches. */
  void invalidate(SecretRef ref);

  /**
   * Like {@link #invalidate(SecretRef)}, also emitting a revocation audit event; no value of the
   * ref cached before this call is ever served after it.
   */
  void revoke(SecretRef ref);

  /**
   * Subscribes to new versions of a ref seen by refreshes.
   *
   * @return a handle whose {@code close()} unsubscribes
   */
  AutoCloseable onChange(SecretRef ref, SecretChangeListener listener);

  /** The run environment this client caps TTLs and picks registry entries for. */
  RunEnvironment environment();

  /**
   * Stops background work, wipes every cached value and closes the registered providers.
   * Idempotent. Later calls to resolve methods throw {@link IllegalStateException}.
   */
  @Override
  void close();

  /**
   * Configures a {@link SecretsClient}. Every setter checks its argument at once and names the
   * field it rejects. Not thread-safe; build once.
   */
  final class Builder {
    /** Default fraction of the TTL after which a value is refreshed in the background. */
    public static final double DEFAULT_REFRESH_AHEAD = 0.75;
    /** Default random spread, as a fraction of the TTL, subtracted from the refresh point. */
    public static final double DEFAULT_REFRESH_JITTER = 0.25;
    /** Default time a not-found or denied answer is remembered. */
    public static final Duration DEFAULT_NEGATIVE_TTL = Duration.ofSeconds(10);
    /** Default time a previous version stays resolvable after a rotation is seen. */
    public static final Duration DEFAULT_ROTATION_GRACE = Duration.ofHours(24);
    /** Default attempts per fetch, the first included. */
    public static final int DEFAULT_MAX_ATTEMPTS = 4;
    /** Default base of the exponential backoff between attempts. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** Default cap on one backoff wait. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(5);
    /** Default cap on the whole retry sequence of one fetch. */
    public static final Duration DEFAULT_MAX_RETRY_DURATION = Duration.ofSeconds(20);
    /** Default cap on the number of cached refs. */
    public static final long DEFAULT_MAXIMUM_SIZE = 100_000;
    /** Default interval of the client's schedule: 1 s. */
    public static final Duration DEFAULT_MAINTENANCE_INTERVAL = Duration.ofSeconds(1);
    /** Default number of TTLs without a read a ref is still refreshed for: 3. */
    public static final int DEFAULT_KEEP_WARM_TTLS = 3;
    /** Default lead of the grace-ending warning: 1 hour. */
    public static final Duration DEFAULT_GRACE_WARNING = Duration.ofHours(1);

    final Map<String, SecretProvider> providers = new LinkedHashMap<>();
    final Map<String, String> aliases = new LinkedHashMap<>();
    SecretRegistry registry = SecretRegistry.empty();
    SecretPolicy policy = SecretPolicy.permissive();
    RunEnvironment environment;
    Duration defaultTtl;
    double refreshAhead = DEFAULT_REFRESH_AHEAD;
    double refreshJitter = DEFAULT_REFRESH_JITTER;
    Duration negativeTtl = DEFAULT_NEGATIVE_TTL;
    Duration maxStale = Duration.ZERO;
    Duration rotationGrace = DEFAULT_ROTATION_GRACE;
    int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
    Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    Duration maxRetryDuration = DEFAULT_MAX_RETRY_DURATION;
    long maximumSize = DEFAULT_MAXIMUM_SIZE;
    Ticker ticker = Ticker.system();
    Clock clock = Clock.systemUTC();
    Executor refreshExecutor;
    java.util.concurrent.ScheduledExecutorService scheduler;
    Duration maintenanceInterval = DEFAULT_MAINTENANCE_INTERVAL;
    int keepWarmTtls = DEFAULT_KEEP_WARM_TTLS;
    Duration graceWarning = DEFAULT_GRACE_WARNING;
    AuditSink auditSink;
    SecretsMetrics metrics = SecretsMetrics.none();
    RedactionIndex redactionIndex;
    String principal;
    String justification;
    byte[] fingerprintKey;
    final java.util.Set<String> userFactories = new java.util.LinkedHashSet<>();
    ClassLoader factoryLoader;

    Builder() {}

    /**
     * Registers a provider for its scheme. The client owns it and closes it on {@link #close()}.
     *
     * @throws IllegalArgumentException if a provider for the same scheme is already registered
     */
    public Builder provider(SecretProvider provider) {
      Objects.requireNonNull(provider, "provider");
      String scheme = Objects.requireNonNull(provider.scheme(), "provider.scheme()")
          .toLowerCase(Locale.ROOT);
      if (providers.containsKey(scheme)) {
        throw new IllegalArgumentException("provider: a provider for scheme '" + scheme
            + "' is already registered");
      }
      providers.put(scheme, provider);
      return this;
    }

    /**
     * Builds the provider for {@code scheme} with a {@link SecretProviderFactory} found through
     * {@link java.util.ServiceLoader} — only the SDK's own factories and those named with
     * {@link #allowFactory(String)} are ever instantiated.
     *
     * @throws SecretConfigException if no allowed factory serves the scheme, or the settings are
     *     invalid
     */
    public Builder providerFromFactory(String scheme, ProviderSettings settings) {
      Objects.requireNonNull(settings, "settings");
      String checked = requireScheme(scheme, "scheme");
      SecretProvider built;
      try {
        built = ProviderDiscovery.create(checked, settings, factoryLoader(), userFactories);
      } catch (RuntimeException e) {
        throw ExceptionExit.scrub(e); // a factory's text is scrubbed like a provider's
      }
      return provider(built);
    }

    /**
     * Allows a custom {@link SecretProviderFactory} class, by fully qualified name, to be
     * instantiated by {@link #providerFromFactory}.
     */
    public Builder allowFactory(String className) {
      Objects.requireNonNull(className, "className");
      if (!className.matches("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)+")) {
        throw new IllegalArgumentException("allowFactory: not a fully qualified class name");
      }
      userFactories.add(className);
      return this;
    }

    /** The class loader factories are looked up in; default this thread's context loader. */
    public Builder factoryClassLoader(ClassLoader loader) {
      this.factoryLoader = Objects.requireNonNull(loader, "factoryClassLoader");
      return this;
    }

    private ClassLoader factoryLoader() {
      if (factoryLoader != null) {
        return factoryLoader;
      }
      ClassLoader context = Thread.currentThread().getContextClassLoader();
      return context != null ? context : SecretsClient.class.getClassLoader();
    }

    /** A builder set up from environment variables; see {@link SecretsClient#fromEnvironment()}. */
    public static Builder fromEnvironment(Map<String, String> env) {
      Objects.requireNonNull(env, "env");
      Builder b = new Builder();
      b.environment(RunEnvironment.detect(env));
      for (String name : split(env.get("SECRETS_SDK_FACTORIES"))) {
        b.allowFactory(name);
      }
      ProviderSettings settings = ProviderSettings.of(Map.of(), env::get);
      List<String> schemes = split(env.getOrDefault("SECRETS_SDK_PROVIDERS", "env,file"));
      for (String scheme : schemes) {
        b.providerFromFactory(scheme, settings);
      }
      for (String pair : split(env.get("SECRETS_SDK_ALIASES"))) {
        int eq = pair.indexOf('=');
        if (eq <= 0 || eq == pair.length() - 1) {
          throw new SecretConfigException(null, 0, "SECRETS_SDK_ALIASES",
              "each alias must read alias=scheme");
        }
        b.alias(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
      }
      String registry = env.get("SECRETS_SDK_REGISTRY");
      if (registry != null && !registry.isBlank()) {
        b.registry(SecretRegistry.load(java.nio.file.Path.of(registry)));
      }
      String policy = env.get("SECRETS_SDK_POLICY");
      if (policy != null && !policy.isBlank()) {
        b.policy(SecretPolicy.load(java.nio.file.Path.of(policy)));
      }
      return b;
    }

    private static List<String> split(String csv) {
      List<String> out = new java.util.ArrayList<>();
      if (csv == null) {
        return out;
      }
      for (String part : csv.split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
      return out;
    }

    /**
     * Maps an alias scheme onto a registered provider's scheme, e.g. {@code alias("kv", "vault")}
     * so registry refs written as {@code kv://…} resolve through Vault.
     */
    public Builder alias(String alias, String scheme) {
      String a = requireScheme(alias, "alias");
      String s = requireScheme(scheme, "scheme");
      if (a.equals(s)) {
        throw new IllegalArgumentException("alias: '" + a + "' cannot alias itself");
      }
      aliases.put(a, s);
      return this;
    }

    /** The registry that maps names to refs per environment; default empty. */
    public Builder registry(SecretRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
      return this;
    }

    /** The policy checked before every provider call; default permissive. */
    public Builder policy(SecretPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /**
     * The run environment; default detected from {@code SECRETS_SDK_ENV} and {@code CI} (see
     * {@link RunEnvironment#detect}).
     */
    public Builder environment(RunEnvironment environment) {
      this.environment = Objects.requireNonNull(environment, "environment");
      return this;
    }

    /** TTL for values whose provider gives none; default the environment cap. */
    public Builder defaultTtl(Duration ttl) {
      this.defaultTtl = requirePositive(ttl, "defaultTtl");
      return this;
    }

    /**
     * When to refresh in the background, as a fraction of the TTL (default 0.75), and the random
     * spread subtracted from it (default 0.25: wider than a minute for a 5-minute TTL) so processes started together do not refresh in
     * step.
     */
    public Builder refreshAhead(double fraction, double jitter) {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("refreshAhead: fraction must be in (0, 1]");
      }
      if (!(jitter >= 0 && jitter < fraction)) {
        throw new IllegalArgumentException("refreshAhead: jitter must be in [0, fraction)");
      }
      this.refreshAhead = fraction;
      this.refreshJitter = jitter;
      return this;
    }

    /** How long not-found and denied answers are remembered; default 10 s; zero disables. */
    public Builder negativeTtl(Duration ttl) {
      this.negativeTtl = requireNonNegative(ttl, "negativeTtl");
      return this;
    }

    /**
     * How long past its TTL a value may still be served while the provider is unavailable;
     * default zero. Ignored when the policy sets {@code strict_ttl}.
     */
    public Builder maxStale(Duration maxStale) {
      this.maxStale = requireNonNegative(maxStale, "maxStale");
      return this;
    }

    /** How long a previous version stays resolvable after a rotation is seen; default 24 h. */
    public Builder rotationGrace(Duration grace) {
      this.rotationGrace = requireNonNegative(grace, "rotationGrace");
      return this;
    }

    /**
     * Retries of transient failures: attempts per fetch (first included), the base and cap of the
     * exponential backoff (full jitter), and the cap on the whole sequence. A provider's
     * {@code Retry-After} is honoured when it fits in the remaining time.
     */
    public Builder retry(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
        Duration maxRetryDuration) {
      if (maxAttempts < 1 || maxAttempts > 20) {
        throw new IllegalArgumentException("retry: maxAttempts must be in [1, 20]");
      }
      this.initialBackoff = requirePositive(initialBackoff, "initialBackoff");
      this.maxBackoff = requirePositive(maxBackoff, "maxBackoff");
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException("retry: maxBackoff must be >= initialBackoff");
      }
      this.maxRetryDuration = requirePositive(maxRetryDuration, "maxRetryDuration");
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** The most refs cached at once; default 100,000. */
    public Builder maximumSize(long maximumSize) {
      if (maximumSize < 1) {
        throw new IllegalArgumentException("maximumSize must be positive");
      }
      this.maximumSize = maximumSize;
      return this;
    }

    /** Monotonic time for TTLs; tests pass a fake ticker. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Wall-clock time for audit events and change events. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Where background refreshes run. Default: the client's own daemon threads, stopped on
     * {@link #close()}; a given executor is not shut down by the client.
     */
    public Builder refreshExecutor(Executor executor) {
      this.refreshExecutor = Objects.requireNonNull(executor, "refreshExecutor");
      return this;
    }

    /**
     * Where the client's schedule runs: refresh without a reader, wiping at expiry, grace
     * warnings, and the coarse clock of the hit path. Default: one daemon thread of the client's
     * own, stopped on {@link #close()}; a given scheduler is not shut down by the client (its
     * tasks are cancelled).
     */
    public Builder scheduler(java.util.concurrent.ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /**
     * How often the schedule looks for refs to refresh, values to wipe and grace warnings to send;
     * default 1 s. Between 1 ms and 1 minute.
     */
    public Builder maintenanceInterval(Duration interval) {
      requirePositive(interval, "maintenanceInterval");
      if (interval.compareTo(Duration.ofMillis(1)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("maintenanceInterval must be between 1 ms and 1 minute");
      }
      this.maintenanceInterval = interval;
      return this;
    }

    /**
     * Refresh without a reader: a ref read (or passed to {@code warmUp}, or refreshed) within the
     * last {@code ttls} TTLs is refreshed in the background ahead of its expiry, so the next reader
     * gets a hit even after a quiet period; one not read for longer stops being refreshed and is
     * wiped at its expiry. Default 3; 0 refreshes only on reads. At most 1,000.
     */
    public Builder keepWarm(int ttls) {
      if (ttls < 0 || ttls > 1000) {
        throw new IllegalArgumentException("keepWarm must be between 0 and 1000 TTLs");
      }
      this.keepWarmTtls = ttls;
      return this;
    }

    /**
     * How long before a previous version's grace window ends its listeners
     * ({@link io.secretsdk.event.SecretChangeListener#onGraceEnding}) and the audit sink
     * ({@code GRACE_ENDING}) are told; default 1 hour. Capped at the grace window itself.
     */
    public Builder graceWarning(Duration lead) {
      this.graceWarning = requireNonNegative(lead, "graceWarning");
      return this;
    }

    /** Where audit events go; default JSON lines on the SLF4J logger {@code io.secretsdk.audit}. */
    public Builder auditSink(AuditSink sink) {
      this.auditSink = Objects.requireNonNull(sink, "auditSink");
      return this;
    }

    /**
     * The index every resolved value is registered with, so redacting log encoders, wrapped
     * standard streams and the leak scanner mask it; default {@link RedactionIndex#global()}.
     */
    public Builder redactionIndex(RedactionIndex index) {
      this.redactionIndex = Objects.requireNonNull(index, "redactionIndex");
      return this;
    }

    /** Where measurements go; default none. */
    public Builder metrics(SecretsMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Who resolves (service or runner name), recorded in audit events. */
    public Builder principal(String principal) {
      this.principal = requireText(principal, "principal");
      return this;
    }

    /** Why this process needs secrets (ticket, job), recorded in audit events. */
    public Builder justification(String justification) {
      this.justification = requireText(justification, "justification");
      return this;
    }

    /**
     * A key for the HMAC-SHA-256 fingerprint of each value in audit events (at least 32 bytes;
     * copied). Without a key, events carry no fingerprint.
     */
    public Builder auditFingerprintKey(byte[] key) {
      Objects.requireNonNull(key, "auditFingerprintKey");
      if (key.length < 32) {
        throw new IllegalArgumentException("auditFingerprintKey must be at least 32 bytes");
      }
      this.fingerprintKey = key.clone();
      return this;
    }

    /**
     * Builds the client.
     *
     * @throws IllegalStateException if no provider is registered, or an alias names an
     *     unregistered scheme
     */
    public SecretsClient build() {
      if (providers.isEmpty()) {
        throw new IllegalStateException("no provider registered: call provider(...) first");
      }
      for (Map.Entry<String, String> a : aliases.entrySet()) {
        if (!providers.containsKey(a.getValue())) {
          throw new IllegalStateException("alias '" + a.getKey() + "' maps to scheme '"
              + a.getValue() + "', which no registered provider serves");
        }
      }
      RedactionIndex index = redactionIndex != null ? redactionIndex : RedactionIndex.global();
      ExceptionExit.track(index);
      return new DefaultSecretsClient(new ClientSettings(
          Map.copyOf(providers), Map.copyOf(aliases), registry, policy,
          environment != null ? environment : RunEnvironment.detect(System.getenv()),
          defaultTtl, refreshAhead, refreshJitter, negativeTtl, maxStale, rotationGrace,
          maxAttempts, initialBackoff, maxBackoff, maxRetryDuration, maximumSize, ticker, clock,
          refreshExecutor, auditSink, metrics,
          index, principal, justification,
          fingerprintKey == null ? null : fingerprintKey.clone(), Secret::adopt, keepWarmTtls,
          graceWarning, scheduler, maintenanceInterval));
    }

    private static String requireScheme(String scheme, String field) {
      Objects.requireNonNull(scheme, field);
      String lower = scheme.toLowerCase(Locale.ROOT);
      if (!lower.matches("[a-z][a-z0-9+.-]{0,31}")) {
        throw new IllegalArgumentException(field + ": not a valid scheme");
      }
      return lower;
    }

    private static String requireText(String s, String field) {
      Objects.requireNonNull(s, field);
      if (s.isBlank() || s.length() > 256) {
        throw new IllegalArgumentException(field + " must be 1 to 256 non-blank characters");
      }
      return s;
    }

    private static Duration requirePositive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(field + " must be positive");
      }
      return d;
    }

    private static Duration requireNonNegative(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isNegative()) {
        throw new IllegalArgumentException(field + " must not be negative");
      }
      return d;
    }
  }
}
