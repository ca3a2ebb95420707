package io.secretsdk.testing;

import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A scriptable provider for tests: values with versions and TTLs, scripted failures, a gate that
 * holds fetches until released, and call counts.
 *
 * <pre>{@code
 * FakeSecretProvider fake = FakeSecretProvider.create("fake");
 * fake.set("openai", "canary-value");               // version 1
 * fake.failNext("openai", 2, ref -> new ProviderUnavailableException(ref, "down"));
 * SecretsClient client = SecretsClient.builder().provider(fake).build();
 * }</pre>
 *
 * <p>Paths are ref paths ({@code fake://openai} has path {@code openai}). Thread-safe.
 */
public final class FakeSecretProvider implements SecretProvider {
  private final String scheme;
  private final Map<String, State> states = new ConcurrentHashMap<>();
  private final AtomicInteger totalCalls = new AtomicInteger();
  private volatile CountDownLatch gate;
  private volatile CountDownLatch entered = new CountDownLatch(0);
  private volatile boolean closed;

  private FakeSecretProvider(String scheme) {
    this.scheme = Objects.requireNonNull(scheme, "scheme");
  }

  /** An empty provider for {@code scheme}. */
  public static FakeSecretProvider create(String scheme) {
    return new FakeSecretProvider(scheme);
  }

  @Override
  public String scheme() {
    return scheme;
  }

  /** Sets a new version of the value at {@code path}, with no provider TTL; returns the version. */
  public String set(String path, String value) {
    return set(path, value, null);
  }

  /** Sets a new version of the value at {@code path}, reported with {@code ttl}; returns the version. */
  public String set(String path, String value, Duration ttl) {
    State st = state(path);
    synchronized (st) {
      if (st.value != null) {
        Arrays.fill(st.value, (byte) 0);
      }
      st.value = value.getBytes(StandardCharsets.UTF_8);
      st.version++;
      st.ttl = ttl;
      return String.valueOf(st.version);
    }
  }

  /** Removes the value at {@code path}: fetches answer not-found. */
  public void delete(String path) {
    State st = state(path);
    synchronized (st) {
      if (st.value != null) {
        Arrays.fill(st.value, (byte) 0);
      }
      st.value = null;
    }
  }

  /** The next {@code times} fetches of {@code path} throw what {@code failure} makes. */
  public void failNext(String path, int times, Function<SecretRef, SecretException> failure) {
    State st = state(path);
    synchronized (st) {
      for (int i = 0; i < times; i++) {
        st.failures.add(failure);
      }
    }
  }

  /** Every fetch of {@code path} throws what {@code failure} makes, until {@link #recover}. */
  public void failAlways(String path, Function<SecretRef, SecretException> failure) {
    State st = state(path);
    synchronized (st) {
      st.always = failure;
    }
  }

  /** Clears scripted failures of {@code path}. */
  public void recover(String path) {
    State st = state(path);
    synchronized (st) {
      st.always = null;
      st.failures.clear();
    }
  }

  /**
   * Holds every following fetch until {@link #release()}; {@code expectedCallers} fetches are
   * awaited by {@link #awaitBlocked}.
   */
  public void block(int expectedCallers) {
    entered = new CountDownLatch(expectedCallers);
    gate = new CountDownLatch(1);
  }

  /** Waits until {@code expectedCallers} fetches are held by {@link #block(int)}. */
  public boolean awaitBlocked(Duration timeout) throws InterruptedException {
    return entered.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Lets held and later fetches proceed. */
  public void release() {
    CountDownLatch g = gate;
    gate = null;
    if (g != null) {
      g.countDown();
    }
  }

  /** Fetches of {@code path} so far, failed ones included. */
  public int calls(String path) {
    State st = states.get(path);
    return st == null ? 0 : st.calls.get();
  }

  /** Fetches so far, of all paths. */
  public int totalCalls() {
    return totalCalls.get();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }

  @Override
  public FetchResult fetch(SecretRef ref, FetchContext context) {
    totalCalls.incrementAndGet();
    State st = state(ref.path());
    st.calls.incrementAndGet();
    CountDownLatch g = gate;
    if (g != null) {
      entered.countDown();
      try {
        if (!g.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("fake provider gate was never released");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new io.secretsdk.ProviderUnavailableException(ref, "interrupted");
      }
    }
    synchronized (st) {
      Function<SecretRef, SecretException> failure = st.failures.poll();
      if (failure == null) {
        failure = st.always;
      }
      if (failure != null) {
        throw failure.apply(ref);
      }
      if (st.value == null) {
        throw new SecretNotFoundException(ref, "no secret at " + ref);
      }
      FetchResult.Builder b = FetchResult.builder(st.value).version(String.valueOf(st.version));
      if (st.ttl != null) {
        b.ttl(st.ttl);
      }
      return b.build();
    }
  }

  @Override
  public void close() {
    closed = true;
    release();
    states.values().forEach(st -> {
      synchronized (st) {
        if (st.value != null) {
          Arrays.fill(st.value, (byte) 0);
        }
      }
    });
  }

  @Override
  public String toString() {
    return "FakeSecretProvider[" + scheme + ", paths=" + states.size() + "]";
  }

  private State state(String path) {
    return states.computeIfAbsent(path, p -> new State());
  }

  private static final class State {
    byte[] value;
    int version;
    Duration ttl;
    final Deque<Function<SecretRef, SecretException>> failures = new ArrayDeque<>();
    Function<SecretRef, SecretException> always;
    final AtomicInteger calls = new AtomicInteger();
  }
}
