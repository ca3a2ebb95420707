package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretsClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A user's OkHttpClient (proxies, pools, interceptors) is what the provider's is derived from,
 * while the SDK's own rules still hold: no redirects, no request to another host, no relaxed
 * hostname verification, and close() leaves the user's client running.
 */
@Timeout(60)
final class VaultInjectedHttpClientTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer other = new MockWebServer();
  private LeakCheckedClient v;
  private String token;
  private String value;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "v-");
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200,
        "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
    v.vault.on("GET", "sys/internal/ui/mounts/secret/app/db", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"secret/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    v.vault.on("GET", "secret/data/app/db", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"password\":\"" + value + "\"},\"metadata\":{\"version\":1,"
            + "\"created_time\":\"2026-01-01T00:00:00Z\"}}}");
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  @Test
  void givenClient_itsInterceptorsRunAndItStaysUsableAfterClose() throws Exception {
    AtomicInteger intercepted = new AtomicInteger();
    OkHttpClient mine = new OkHttpClient.Builder()
        .addInterceptor(chain -> {
          intercepted.incrementAndGet();
          return chain.proceed(chain.request().newBuilder().header("X-Trace-Id", "t-1").build());
        })
        .build();
    try {
      SecretsClient client = v.client(v.options(token).httpClient(mine).build());

      assertThat(v.resolve(client, "vault://secret/app/db#password")).isEqualTo(value);
      assertThat(intercepted.get()).isPositive();
      assertThat(v.vault.requests()).allSatisfy(r ->
          assertThat(r.getHeaders().get("X-Trace-Id")).isEqualTo("t-1"));

      client.close();
      // the user's client is the user's: its dispatcher and pool still work
      other.enqueue(new MockResponse.Builder().code(200).body("ok").build());
      try (Response r = mine.newCall(new Request.Builder().url(other.url("/ping")).build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
      assertThat(mine.dispatcher().executorService().isShutdown()).isFalse();
    } finally {
      mine.dispatcher().executorService().shutdown();
      mine.connectionPool().evictAll();
      assertThat(mine.dispatcher().executorService().awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void givenClientFollowingRedirects_redirectToAnotherHostStillRefused() {
    OkHttpClient follows = new OkHttpClient.Builder().followRedirects(true).followSslRedirects(true).build();
    server.setDispatcher(new mockwebserver3.Dispatcher() {
      @Override
      public MockResponse dispatch(mockwebserver3.RecordedRequest request) {
        return new MockResponse.Builder().code(307)
            .setHeader("Location", other.url("/v1/secret/data/app/moved").toString()).build();
      }
    });
    try {
      SecretsClient client = v.client(v.options(token).httpClient(follows).detectMounts(false).build());

      Throwable t = v.resolveFailure(client, "vault://secret/app/moved#password");

      assertThat(t).isInstanceOf(ProviderUnavailableException.class);
      assertThat(other.getRequestCount()).as("requests that reached the other host").isZero();
    } finally {
      server.setDispatcher(v.vault);
      follows.dispatcher().executorService().shutdown();
      follows.connectionPool().evictAll();
    }
  }

  @Test
  void givenClientWithItsOwnHostnameVerifier_refused() {
    OkHttpClient lax = new OkHttpClient.Builder().hostnameVerifier((host, session) -> true).build();
    try {
      assertThatThrownBy(() -> VaultSecretProvider.create(v.options(token).httpClient(lax).build()))
          .isInstanceOf(SecretConfigException.class)
          .hasMessageContaining("hostname verifier");
    } finally {
      lax.dispatcher().executorService().shutdown();
    }
  }
}
