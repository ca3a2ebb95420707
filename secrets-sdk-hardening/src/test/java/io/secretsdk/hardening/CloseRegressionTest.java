package io.secretsdk.hardening;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.secretsdk.RunEnvironment;
import io.secretsdk.Secret;
import io.secretsdk.SecretException;
import io.secretsdk.SecretsClient;
import io.secretsdk.spi.SecretProvider;
import io.secretsdk.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code close()} while a fetch is on the wire: found by
 * {@link ConcurrencyStressTest#close_duringLoad_endsCleanly}. The OkHttp providers' {@code close()}
 * shuts the dispatcher down and evicts the pool, but a call already in flight finishes afterwards
 * and parked its connection in the pool, where it stayed open for the pool's keep-alive (5 min)
 * with OkHttp's clean-up task scheduled. Fixed: {@code VaultTransport.close()} and
 * {@code ConnectBackend.close()} now cancel in-flight calls ({@code dispatcher().cancelAll()},
 * which covers synchronous calls too) before evicting the pool.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
final class CloseRegressionTest {

  @ParameterizedTest
  @EnumSource(value = HttpProviderKind.class, names = {"VAULT", "ONEPASSWORD"})
  void close_duringInFlightFetch_leavesNoPooledConnection(HttpProviderKind kind) throws Exception {
    assumeTrue(LeakProbe.canCountConnections(), "needs /proc/net/tcp");
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    try (MockWebServer server = new MockWebServer()) {
      server.setDispatcher(new Dispatcher() {
        @Override
        public MockResponse dispatch(RecordedRequest r) {
          if (!kind.isSecretRequest(r)) {
            return kind.other(r);
          }
          entered.countDown();
          try {
            release.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return kind.secret(Canaries.VALUE);
        }
      });
      server.start();
      SecretProvider provider = kind.create(server.url("/").uri(), new FakeTicker(), Duration.ofSeconds(5), 1 << 20);
      SecretsClient client = SecretsClient.builder().provider(provider).environment(RunEnvironment.CI)
          .retry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(5)).build();
      CompletableFuture<String> reader = CompletableFuture.supplyAsync(() -> {
        try (Secret s = client.resolve(kind.ref())) {
          return "value";
        } catch (SecretException | IllegalStateException e) {
          return e.getClass().getSimpleName();
        }
      });
      assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

      client.close();
      release.countDown();
      reader.get(10, TimeUnit.SECONDS);

      assertThat(LeakProbe.awaitNoConnections(server.getPort(), 2000))
          .as("connections to the server left after close() and the in-flight call ended").isZero();
    }
  }

  /**
   * The residue of the fix above: {@code cancelAll()} cancels the calls running at that instant,
   * but a reader that passed the provider's "closed" check just before {@code close()} starts its
   * call just after it, and OkHttp runs synchronous calls on a client whose dispatcher is shut down,
   * so that call's connection stays in the pool. Found by
   * {@link ConcurrencyStressTest#close_duringLoad_endsCleanly} (8 readers; it happens within the
   * first rounds). Also a call cancelled before it used its pooled connection hands it back after
   * {@code evictAll()}. A fix, checked against this test (5 rounds, twice, both providers): a
   * volatile {@code closed} flag set first in {@code close()}; an application interceptor that
   * throws {@code IOException} once it is set (it runs after OkHttp registers the call as
   * running, so each call is either cancelled by {@code cancelAll()} or refused); and in
   * {@code VaultTransport.send} / {@code ConnectBackend.getBytes},
   * {@code finally { if (closed) http.connectionPool().evictAll(); }} for the stragglers.
   */
  @ParameterizedTest
  @EnumSource(value = HttpProviderKind.class, names = {"VAULT", "ONEPASSWORD"})
  void close_whileCallsStart_leavesNoPooledConnection(HttpProviderKind kind) throws Exception {
    assumeTrue(LeakProbe.canCountConnections(), "needs /proc/net/tcp");
    for (int round = 0; round < 5; round++) {
      FakeTicker ticker = new FakeTicker();
      CountDownLatch midLoad = new CountDownLatch(40);
      try (MockWebServer server = new MockWebServer()) {
        server.setDispatcher(new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest r) {
            if (kind.isSecretRequest(r)) {
              midLoad.countDown();
            }
            return kind.isSecretRequest(r) ? kind.secret(Canaries.VALUE) : kind.other(r);
          }
        });
        server.start();
        SecretProvider provider = kind.create(server.url("/").uri(), ticker, Duration.ofSeconds(5), 1 << 20);
        SecretsClient client = SecretsClient.builder().provider(provider).environment(RunEnvironment.CI)
            .ticker(ticker).defaultTtl(Duration.ofSeconds(1))
            .retry(1, Duration.ofMillis(1), Duration.ofMillis(1), Duration.ofSeconds(5)).build();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> readers = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
          readers.add(pool.submit(() -> {
            while (true) {
              ticker.advance(Duration.ofSeconds(2)); // every resolve is a fetch
              try (Secret s = client.resolve(kind.ref())) {
                // keep going
              } catch (IllegalStateException closed) {
                return null;
              } catch (SecretException e) {
                // a call cancelled by close()
              }
            }
          }));
        }
        assertThat(midLoad.await(10, TimeUnit.SECONDS)).isTrue();
        client.close();
        for (Future<?> f : readers) {
          f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(LeakProbe.awaitNoConnections(server.getPort(), 1000))
            .as("round %d: connections left after close() under load", round).isZero();
      }
    }
  }
}
