package io.secretsdk.hikari;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariCredentialsProvider;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.util.Credentials;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.redact.RedactionIndex;
import io.secretsdk.spi.Ticker;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Database credentials for one HikariCP pool, read through a {@link SecretsClient} and rotated
 * without a failed query.
 *
 * <pre>{@code
 * RotatingCredentials credentials = RotatingCredentials.builder(client)
 *     .jsonRef(SecretRef.parse("vault://database/creds/app"))   // {"username": ..., "password": ...}
 *     .build();
 * try (RotatingDataSource pool = credentials.dataSource(config)) { ... }
 * }</pre>
 *
 * <p><b>New connections</b> use the newest credentials: this is the pool's
 * {@link HikariCredentialsProvider} (HikariCP's own hook, asked once per physical connection), and
 * each call reads the ref through the client, a cache hit that costs nanoseconds and never waits
 * for a refresh.
 *
 * <p><b>Old connections</b> are soft-evicted ({@link HikariPoolMXBean#softEvictConnections()}:
 * idle ones closed now, busy ones when returned, so no query in flight fails) when new credentials
 * are seen: a change event from the client ({@link SecretsClient#onChange}), a changed value on
 * the periodic check ({@link Builder#checkInterval}, which also keeps the client refreshing ahead
 * of expiry), or, for a leased secret (metadata {@code lease_duration}, as the Vault provider
 * reports for database secrets engine leases), a forced refresh {@link Builder#leaseEndMargin}
 * before the lease ends (and each margin after) that returns a new lease. A renewed or still-held
 * lease keeps its credentials and the connections. A connection being opened with the old credentials while the rotation is seen is
 * caught by a second eviction shortly after.
 *
 * <p><b>No value leaves</b>: the password is registered with the {@link RedactionIndex} (the JSON
 * form is registered whole by the client, the password alone here), never logged, and absent from
 * {@link #toString()}. HikariCP sees it only in the {@link Credentials} it passes to the driver.
 *
 * <p>Thread-safe. Owns one daemon thread while a pool is attached; {@link #close()} (or closing
 * the {@link RotatingDataSource}) stops it and the change listeners.
 */
public final class RotatingCredentials implements HikariCredentialsProvider, AutoCloseable {
  /** Default {@link Builder#checkInterval}: {@value #DEFAULT_CHECK_INTERVAL_SECONDS} s. */
  public static final long DEFAULT_CHECK_INTERVAL_SECONDS = 30;
  /** Default period of the check for new credentials and lease ends. */
  public static final Duration DEFAULT_CHECK_INTERVAL = Duration.ofSeconds(DEFAULT_CHECK_INTERVAL_SECONDS);
  /** Default {@link Builder#leaseEndMargin}: 60 s (at most half the lease). */
  public static final Duration DEFAULT_LEASE_END_MARGIN = Duration.ofSeconds(60);
  /** How long after an eviction a connection opened with the old credentials may still join. */
  static final Duration SETTLE = Duration.ofSeconds(2);
  private static final int RETIRED_KEPT = 8;
  private static final Logger log = LoggerFactory.getLogger(RotatingCredentials.class);
  private static final AtomicInteger IDS = new AtomicInteger();

  private final SecretsClient client;
  private final CredentialsSource source;
  private final Duration checkInterval;
  private final Duration leaseEndMargin;
  private final Ticker ticker;
  private final RedactionIndex redactionIndex;
  private final Object lock = new Object();
  private final Deque<String> retired = new ArrayDeque<>();
  private final AtomicLong evictions = new AtomicLong();
  private final AtomicBoolean closed = new AtomicBoolean();
  /** A check is running: one started meanwhile (a change event it caused) has nothing to add. */
  private final AtomicBoolean checking = new AtomicBoolean();
  private final List<AutoCloseable> subscriptions = new ArrayList<>();

  private String current;
  private long leaseEndsAt = Long.MAX_VALUE;
  private long leaseNanos;
  private long lastCurrentHandout = Long.MIN_VALUE;
  private long lastOldHandout = Long.MIN_VALUE;
  /** The pool to evict; null until attached. A supplier: a lazily started pool has no MXBean yet. */
  private volatile Supplier<HikariPoolMXBean> pool;
  /** Whether the attached pool was closed (then the check thread stops). */
  private volatile java.util.function.BooleanSupplier poolClosed = () -> false;
  private volatile String poolName = "?";
  private volatile ScheduledExecutorService scheduler;
  private volatile Thread checkThread;

  private RotatingCredentials(Builder b) {
    this.client = b.client;
    this.source = b.source;
    this.checkInterval = b.checkInterval;
    this.leaseEndMargin = b.leaseEndMargin;
    this.ticker = b.ticker;
    this.redactionIndex = b.redactionIndex;
  }

  /**
   * Starts credentials read through {@code client}.
   *
   * @throws NullPointerException if {@code client} is null
   */
  public static Builder builder(SecretsClient client) {
    return new Builder(client);
  }

  /**
   * Makes {@code config}'s pool use these credentials, starts it, and watches for rotation until
   * the returned data source is closed. {@code config} must not set a username or password (the
   * provider's would be ignored); its jdbcUrl, driver and pool settings are used as they are.
   *
   * @throws IllegalStateException if these credentials already serve a pool, or are closed
   * @throws IllegalArgumentException if {@code config} sets a password
   * @throws io.secretsdk.SecretException if the first credentials cannot be read
   */
  public RotatingDataSource dataSource(HikariConfig config) {
    Objects.requireNonNull(config, "config");
    if (config.getPassword() != null) {
      throw new IllegalArgumentException("config sets a password; RotatingCredentials supplies it");
    }
    if (closed.get()) {
      throw new IllegalStateException("these RotatingCredentials are closed");
    }
    if (pool != null || scheduler != null) {
      throw new IllegalStateException("these RotatingCredentials already serve a pool");
    }
    getCredentials(); // fail here, with the SDK's typed error, rather than inside pool start-up
    config.setCredentialsProvider(this);
    RotatingDataSource dataSource = new RotatingDataSource(config, this);
    try {
      watch(dataSource);
    } catch (RuntimeException e) {
      dataSource.close();
      throw e;
    }
    return dataSource;
  }

  /**
   * Makes a data source that has not started yet use these credentials: one made with
   * {@code new HikariDataSource()} and configured by setters, as Spring Boot makes its pool from
   * {@code spring.datasource.*}. The pool starts at its first {@code getConnection}; rotation is
   * watched until it is closed (the check thread then stops) or these credentials are closed.
   *
   * @throws IllegalStateException if {@code dataSource} is running or closed, or these
   *     credentials already serve a pool or are closed
   * @throws IllegalArgumentException if {@code dataSource} sets a password
   */
  public void bind(HikariDataSource dataSource) {
    Objects.requireNonNull(dataSource, "dataSource");
    if (dataSource.getPassword() != null) {
      throw new IllegalArgumentException("dataSource sets a password; RotatingCredentials supplies it");
    }
    if (dataSource.isRunning() || dataSource.isClosed()) {
      throw new IllegalStateException("bind before the pool starts: its configuration is sealed once it runs");
    }
    if (closed.get()) {
      throw new IllegalStateException("these RotatingCredentials are closed");
    }
    if (pool != null || scheduler != null) {
      throw new IllegalStateException("these RotatingCredentials already serve a pool");
    }
    dataSource.setCredentialsProvider(this);
    watch(dataSource);
  }

  private void watch(HikariDataSource dataSource) {
    String name = dataSource.getPoolName();
    poolName = name != null ? name : "?";
    poolClosed = dataSource::isClosed;
    attach(dataSource::getHikariPoolMXBean);
    startWatching();
  }

  /**
   * The credentials for one new physical connection: the newest the client holds. Called by
   * HikariCP; a failure to read them is the SDK's typed, scrubbed exception.
   */
  @Override
  public Credentials getCredentials() {
    CredentialsSource.Resolved r = source.read(client);
    observe(r, true);
    return Credentials.of(r.username, r.password);
  }

  /** Soft evictions made so far (each one closes every connection that was open then). */
  public long evictions() {
    return evictions.get();
  }

  /** Stops the periodic check and the change listeners; the pool itself is not closed. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    synchronized (subscriptions) {
      for (AutoCloseable s : subscriptions) {
        try {
          s.close();
        } catch (Exception e) {
          log.debug("removing a change listener failed with {}", e.getClass().getName());
        }
      }
      subscriptions.clear();
    }
    ScheduledExecutorService s = scheduler;
    if (s != null) {
      s.shutdownNow();
      if (Thread.currentThread() == checkThread) {
        pool = null;
        return; // closing from the check itself: the thread ends when this task returns
      }
      try {
        if (!s.awaitTermination(10, TimeUnit.SECONDS)) {
          log.warn("secrets-sdk-hikari check thread did not stop within 10 s");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool = null;
  }

  /** Evicts through {@code mxBean} from now on and subscribes to the client's change events. */
  void attach(HikariPoolMXBean mxBean) {
    Objects.requireNonNull(mxBean, "mxBean");
    attach(() -> mxBean);
  }

  private void attach(Supplier<HikariPoolMXBean> mxBean) {
    this.pool = mxBean;
    synchronized (subscriptions) {
      for (SecretRef ref : source.refs()) {
        subscriptions.add(client.onChange(ref, event -> onBackgroundThread(this::checkQuietly)));
      }
    }
  }

  private void startWatching() {
    ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "secrets-sdk-hikari-" + IDS.incrementAndGet());
      t.setDaemon(true);
      checkThread = t;
      return t;
    });
    scheduler = s;
    long period = checkInterval.toNanos();
    s.scheduleWithFixedDelay(this::checkQuietly, period, period, TimeUnit.NANOSECONDS);
  }

  /**
   * One check: reads the credentials (forcing a fetch when a lease is about to end) and evicts the
   * pool's connections when they changed.
   */
  void check() {
    if (closed.get() || !checking.compareAndSet(false, true)) {
      return;
    }
    try {
      checkOnce();
    } finally {
      checking.set(false);
    }
  }

  private void checkOnce() {
    if (poolClosed.getAsBoolean()) {
      // the pool was closed without closing these credentials: nothing left to watch
      close();
      return;
    }
    long now = ticker.read();
    boolean leaseEnding;
    synchronized (lock) {
      // the margin is at most half the lease, so a short lease is not fetched again at once
      leaseEnding = leaseEndsAt != Long.MAX_VALUE
          && now >= leaseEndsAt - Math.min(leaseEndMargin.toNanos(), leaseNanos / 2);
    }
    if (!leaseEnding) {
      observe(source.read(client), false);
      return;
    }
    CredentialsSource.Resolved r = source.refreshAndRead(client);
    if (!observe(r, false)) {
      // the same credentials: a renewed lease, or one the provider still holds (its end unknown
      // here). The connections stay, and the lease is fetched again after one more margin.
      synchronized (lock) {
        long margin = Math.min(leaseEndMargin.toNanos(), leaseNanos / 2);
        leaseEndsAt = now + 2 * margin;
      }
    }
  }

  private void checkQuietly() {
    try {
      check();
    } catch (SecretException e) {
      // the client's exceptions are scrubbed; the type and the refs are enough to act on
      log.warn("checking the credentials of pool {} ({}) failed with {}; the pool keeps its connections",
          poolName, source, e.getClass().getSimpleName());
    } catch (RuntimeException e) {
      log.warn("checking the credentials of pool {} ({}) failed with {}", poolName, source,
          e.getClass().getName());
    }
  }

  /** Holds the lock. */
  private void noteLease(CredentialsSource.Resolved r, long now) {
    leaseNanos = r.leaseSeconds.isPresent() ? TimeUnit.SECONDS.toNanos(r.leaseSeconds.getAsLong()) : 0;
    leaseEndsAt = leaseNanos > 0 ? now + leaseNanos : Long.MAX_VALUE;
  }

  /**
   * Notes credentials just read; returns whether they are new. New ones retire the current ones
   * and evict the pool; a read of retired ones (a read that raced the rotation) is remembered, so
   * the connection it opens is evicted too.
   */
  private boolean observe(CredentialsSource.Resolved r, boolean handout) {
    long now = ticker.read();
    boolean rotated = false;
    boolean settleAgain = false;
    synchronized (lock) {
      if (r.identity.equals(current)) {
        if (handout) {
          lastCurrentHandout = now;
        }
        return false;
      }
      if (retired.contains(r.identity)) {
        if (handout) {
          lastOldHandout = now;
          settleAgain = true;
        }
      } else {
        redactionIndex.registerCredential("hikari/password", r.password);
        if (current != null) {
          retired.addFirst(current);
          while (retired.size() > RETIRED_KEPT) {
            retired.removeLast();
          }
          rotated = true;
          lastOldHandout = lastCurrentHandout;
          settleAgain = now - lastOldHandout < SETTLE.toNanos();
        }
        current = r.identity;
        lastCurrentHandout = handout ? now : Long.MIN_VALUE;
        noteLease(r, now);
      }
    }
    if (rotated) {
      log.info("new credentials for pool {} from {}: soft-evicting its connections", poolName, source);
      onBackgroundThread(this::evict);
    }
    if (settleAgain) {
      later(SETTLE, this::evict);
    }
    return rotated;
  }

  private void evict() {
    Supplier<HikariPoolMXBean> attached = pool;
    HikariPoolMXBean p = attached != null ? attached.get() : null;
    if (p == null || closed.get()) {
      return; // not attached, closed, or a lazy pool not started yet (it has no old connections)
    }
    p.softEvictConnections();
    evictions.incrementAndGet();
  }

  /** Runs {@code task} on the check thread when there is one (listeners must not block), else here. */
  private void onBackgroundThread(Runnable task) {
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      task.run();
      return;
    }
    try {
      s.execute(() -> guarded(task));
    } catch (RejectedExecutionException closing) {
      // closed meanwhile: nothing left to evict
    }
  }

  /** Runs {@code task} after {@code delay} on the check thread; without one (tests), now. */
  private void later(Duration delay, Runnable task) {
    ScheduledExecutorService s = scheduler;
    if (s == null) {
      task.run();
      return;
    }
    try {
      s.schedule(() -> guarded(task), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      // closed meanwhile
    }
  }

  private void guarded(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("a credentials task of pool {} failed with {}", poolName, e.getClass().getName());
    }
  }

  @Override
  public String toString() {
    return "RotatingCredentials[" + source + ", pool=" + poolName + ", evictions=" + evictions.get()
        + (closed.get() ? ", closed" : "") + "]";
  }

  /** Builds {@link RotatingCredentials}. Not thread-safe. */
  public static final class Builder {
    private final SecretsClient client;
    private CredentialsSource source;
    private Duration checkInterval = DEFAULT_CHECK_INTERVAL;
    private Duration leaseEndMargin = DEFAULT_LEASE_END_MARGIN;
    private Ticker ticker = Ticker.system();
    private RedactionIndex redactionIndex = RedactionIndex.global();

    private Builder(SecretsClient client) {
      this.client = Objects.requireNonNull(client, "client");
    }

    /**
     * Credentials from one ref whose value is a JSON object with string members
     * {@code username} and {@code password}: a Vault database secrets engine role
     * ({@code vault://database/creds/app}) or any secret stored in that shape.
     */
    public Builder jsonRef(SecretRef ref) {
      this.source = CredentialsSource.json(Objects.requireNonNull(ref, "ref"));
      return this;
    }

    /**
     * Credentials from two refs, usually two fields of one secret
     * ({@code aws-sm://prod/db#username}, {@code aws-sm://prod/db#password}); when both are of
     * one secret, a pair read across a rotation is read again.
     */
    public Builder fieldRefs(SecretRef usernameRef, SecretRef passwordRef) {
      this.source = CredentialsSource.fields(Objects.requireNonNull(usernameRef, "usernameRef"),
          Objects.requireNonNull(passwordRef, "passwordRef"));
      return this;
    }

    /**
     * How often the credentials are checked for a change and a lease end; default
     * {@link #DEFAULT_CHECK_INTERVAL}.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder checkInterval(Duration interval) {
      this.checkInterval = positive(interval, "checkInterval");
      return this;
    }

    /**
     * How long before a lease ends the credentials are fetched again (a new lease's credentials
     * then evict the old connections); default {@link #DEFAULT_LEASE_END_MARGIN}, at most half
     * the lease.
     *
     * @throws IllegalArgumentException if not positive
     */
    public Builder leaseEndMargin(Duration margin) {
      this.leaseEndMargin = positive(margin, "leaseEndMargin");
      return this;
    }

    /** The time source of lease ends; default {@link Ticker#system()}. */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /** Where the password is registered for redaction; default {@link RedactionIndex#global()}. */
    public Builder redactionIndex(RedactionIndex index) {
      this.redactionIndex = Objects.requireNonNull(index, "index");
      return this;
    }

    /**
     * Builds the credentials.
     *
     * @throws IllegalStateException if neither {@link #jsonRef} nor {@link #fieldRefs} was set
     */
    public RotatingCredentials build() {
      if (source == null) {
        throw new IllegalStateException("set jsonRef or fieldRefs: where the credentials come from");
      }
      return new RotatingCredentials(this);
    }

    private static Duration positive(Duration d, String field) {
      Objects.requireNonNull(d, field);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(field + " must be positive, was " + d);
      }
      return d;
    }
  }
}
