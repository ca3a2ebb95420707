package io.secretsdk.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import io.secretsdk.spi.SecretProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every class of provider outcome bounds the provider calls it causes: no refresh storm after a
 * plain failure, no cross-ref interference through invalidation, plain failures negatively
 * cached, transient failures backed off, and one bad ref never fails a whole batch.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class EngineFailureClassesTest {
  private static final SecretRef A = SecretRef.parse("fake://team/a");
  private static final SecretRef B = SecretRef.parse("fake://team/b");

  private final FakeSecretProvider fake = FakeSecretProvider.create("fake");
  private final FakeTicker ticker = new FakeTicker();
  private final ManualExecutor refreshes = new ManualExecutor();
  private final List<SecretsClient> clients = new ArrayList<>();

  @AfterEach
  void close() {
    clients.forEach(SecretsClient::close);
  }

  private SecretsClient client(SecretProvider provider) {
    SecretsClient c = SecretsClient.builder()
        .provider(provider)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .refreshExecutor(refreshes)
        .refreshAhead(0.5, 0.0)
        .negativeTtl(Duration.ofSeconds(10))
        .retry(3, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5))
        .build();
    clients.add(c);
    return c;
  }

  /** A value made at run time. */
  private static String value() {
    return "v-" + java.util.UUID.randomUUID();
  }

  private static void read(SecretsClient client, SecretRef ref) {
    try (Secret s = client.resolve(ref)) {
      assertThat(s.reveal()).isNotEmpty();
    }
  }

  @Test
  void backgroundRefreshFailsWithPlainSecretException_hitsDoNotStartAnotherCall() {
    fake.set("team/a", value(), Duration.ofMinutes(10));
    SecretsClient client = client(fake);
    read(client, A);
    ticker.advance(Duration.ofMinutes(6)); // past the refresh point, inside the TTL
    fake.failAlways("team/a", r -> new SecretException(r, "the server answered nonsense"));
    for (int i = 0; i < 100; i++) {
      read(client, A); // still served: the value is inside its TTL
      refreshes.runAll();
    }
    assertThat(fake.calls("team/a")).isEqualTo(2); // the load and one refresh
  }

  @Test
  void backgroundRefreshFailsWithRuntimeException_backedOffToo() {
    fake.set("team/a", value(), Duration.ofMinutes(10));
    ThrowingProvider provider = new ThrowingProvider(fake);
    SecretsClient client = client(provider);
    read(client, A);
    ticker.advance(Duration.ofMinutes(6));
    provider.throwFor = "team/a";
    for (int i = 0; i < 100; i++) {
      read(client, A);
      refreshes.runAll();
    }
    assertThat(provider.calls).isEqualTo(2);
  }

  @Test
  void invalidatingAnotherRefDuringAFetch_fetchIsStillCached() throws Exception {
    fake.set("team/a", value());
    fake.set("team/b", value());
    SecretsClient client = client(fake);
    fake.block(1);
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> read(client, A));
    assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();
    client.invalidate(B);
    fake.release();
    first.get(10, TimeUnit.SECONDS);
    read(client, A);
    read(client, A);
    assertThat(fake.calls("team/a")).isEqualTo(1);
  }

  @Test
  void invalidatingTheSameRefDuringAFetch_fetchIsNotCached() throws Exception {
    fake.set("team/a", value());
    SecretsClient client = client(fake);
    fake.block(1);
    CompletableFuture<Void> first = CompletableFuture.runAsync(() -> read(client, A));
    assertThat(fake.awaitBlocked(Duration.ofSeconds(10))).isTrue();
    client.invalidate(A);
    fake.release();
    first.get(10, TimeUnit.SECONDS);
    read(client, A);
    assertThat(fake.calls("team/a")).isEqualTo(2);
  }

  @Test
  void missFailsWithPlainSecretException_negativelyCachedForTheNegativeTtl() {
    SecretsClient client = client(fake);
    fake.failAlways("team/a", r -> new SecretException(r, "malformed answer"));
    for (int i = 0; i < 50; i++) {
      assertThatThrownBy(() -> client.resolve(A)).isInstanceOf(SecretException.class);
    }
    assertThat(fake.calls("team/a")).isEqualTo(1);
    ticker.advance(Duration.ofSeconds(11));
    assertThatThrownBy(() -> client.resolve(A)).isInstanceOf(SecretException.class);
    assertThat(fake.calls("team/a")).isEqualTo(2);
  }

  @Test
  void missFailsTransiently_backsOffWithGrowingIntervals() {
    SecretsClient client = client(fake);
    fake.failAlways("team/a", r -> new ProviderUnavailableException(r, "503"));
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> client.resolve(A)).isInstanceOf(ProviderUnavailableException.class);
    }
    int afterFirst = fake.calls("team/a");
    assertThat(afterFirst).isBetween(1, 3); // one resolve's retries, then the backoff
    ticker.advance(Duration.ofMillis(101)); // past the first backoff (at most 100 ms)
    assertThatThrownBy(() -> client.resolve(A)).isInstanceOf(ProviderUnavailableException.class);
    int afterSecond = fake.calls("team/a");
    assertThat(afterSecond).isGreaterThan(afterFirst);
    for (int i = 0; i < 20; i++) {
      assertThatThrownBy(() -> client.resolve(A)).isInstanceOf(ProviderUnavailableException.class);
    }
    assertThat(fake.calls("team/a")).isEqualTo(afterSecond);
    fake.recover("team/a");
    fake.set("team/a", value());
    ticker.advance(Duration.ofSeconds(3)); // past the largest backoff
    read(client, A);
  }

  @Test
  void staleValueServedDuringAnOutage_oneProviderCallPerBackoff() {
    fake.set("team/a", value(), Duration.ofMinutes(1));
    SecretsClient client = clientWithStale();
    read(client, A);
    ticker.advance(Duration.ofMinutes(2)); // expired, inside the stale window
    fake.failAlways("team/a", r -> new ProviderUnavailableException(r, "503"));
    read(client, A);
    int calls = fake.calls("team/a");
    for (int i = 0; i < 50; i++) {
      read(client, A);
    }
    assertThat(fake.calls("team/a")).isEqualTo(calls);
  }

  private SecretsClient clientWithStale() {
    SecretsClient c = SecretsClient.builder()
        .provider(fake)
        .environment(RunEnvironment.LOCAL)
        .ticker(ticker)
        .refreshExecutor(refreshes)
        .maxStale(Duration.ofMinutes(10))
        .retry(2, Duration.ofMillis(100), Duration.ofSeconds(2), Duration.ofSeconds(5))
        .build();
    clients.add(c);
    return c;
  }

  @Test
  void runtimeExceptionInsideABatch_onlyThatRefFails() {
    fake.set("team/a", value());
    fake.set("team/b", value());
    ThrowingProvider provider = new ThrowingProvider(fake);
    provider.throwFor = "team/b";
    SecretsClient client = client(provider);
    Map<SecretRef, SecretException> failures = client.warmUp(List.of(A, B));
    assertThat(failures).containsOnlyKeys(B);
    assertThat(failures.get(B)).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("IllegalStateException");
    int calls = provider.calls;
    read(client, A); // cached by the warm-up
    assertThat(provider.calls).isEqualTo(calls);
  }

  /** Delegates to the fake, throwing an unexpected runtime exception for one path. */
  private static final class ThrowingProvider implements SecretProvider {
    private final FakeSecretProvider delegate;
    volatile String throwFor;
    volatile int calls;

    ThrowingProvider(FakeSecretProvider delegate) {
      this.delegate = delegate;
    }

    @Override
    public String scheme() {
      return delegate.scheme();
    }

    @Override
    public FetchResult fetch(SecretRef ref, FetchContext context) {
      calls++;
      if (ref.path().equals(throwFor)) {
        throw new IllegalStateException("bug in a provider");
      }
      return delegate.fetch(ref, context);
    }

    @Override
    public void close() {
      delegate.close();
    }
  }
}
