package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.prod;
import static io.secretsdk.platform.Harness.ref;
import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.http.internal.ProviderHttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class PlatformCloseTest {
  @StartStop private final MockWebServer server = new MockWebServer();

  /** The provider's dispatcher threads: idle ones by prefix, busy ones by the URL OkHttp names them after. */
  private long dispatcherThreads() {
    String prefix = ProviderHttpClient.threadName("platform Secrets API");
    String busy = server.getHostName() + ":" + server.getPort();
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith(prefix) || t.getName().contains(busy)).count();
  }

  @Test
  void close_stopsThreadsEmptiesThePoolAndRefusesCalls() throws Exception {
    Harness h = new Harness(server);
    h.platform.on("GET", secretPath("payments/prod/k"), 200, "{\"value\":\"v\"}");
    PlatformSecretProvider p = h.provider();
    p.fetch(ref("secret://payments/prod/k"), prod());
    OkHttpClient http = p.transport().okHttp();
    assertThat(http.connectionPool().connectionCount()).isPositive();

    p.close();
    p.close(); // idempotent

    assertThat(http.dispatcher().executorService().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(http.connectionPool().connectionCount()).isZero();
    assertThat(dispatcherThreads()).isZero();
    assertThatThrownBy(() -> p.fetch(ref("secret://payments/prod/k"), prod())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(p::login).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void close_whileCallsAreInFlight_endsThemAndLeavesNothing() throws Exception {
    Harness h = new Harness(server);
    CountDownLatch hold = new CountDownLatch(1);
    h.platform.on("GET", secretPath("payments/prod/k"), r -> {
      try {
        hold.await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return FakePlatform.json(200, "{\"value\":\"v\"}");
    });
    PlatformSecretProvider p = h.provider();
    p.login();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Throwable>> calls = new ArrayList<>();
    try {
      for (int i = 0; i < 8; i++) {
        calls.add(pool.submit(() -> {
          try {
            p.fetch(ref("secret://payments/prod/k"), prod());
            return null;
          } catch (RuntimeException e) {
            return e;
          }
        }));
      }
      while (h.platform.to("GET", secretPath("payments/prod/k")).isEmpty()) {
        Thread.sleep(5);
      }
      p.close();
      for (Future<Throwable> f : calls) {
        assertThat(f.get(20, TimeUnit.SECONDS)).isNotNull(); // each ended with an exception, none hung
      }
    } finally {
      hold.countDown();
      pool.shutdownNow();
    }
    OkHttpClient http = p.transport().okHttp();
    assertThat(http.dispatcher().executorService().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    assertThat(http.connectionPool().connectionCount()).isZero();
    assertThat(dispatcherThreads()).isZero();
  }
}
