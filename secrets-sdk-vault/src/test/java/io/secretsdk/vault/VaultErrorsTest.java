package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_TOKEN;
import static io.secretsdk.vault.VaultHarness.CANARY_VALUE;
import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import io.secretsdk.SecretNotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
final class VaultErrorsTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer elsewhere = new MockWebServer();
  private VaultHarness h;

  @BeforeEach
  void setUp() {
    h = new VaultHarness(server).lookupSelf(3600, true);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static final Map<Integer, Class<? extends SecretException>> EXPECTED = Map.of(
      400, InvalidSecretRefException.class,
      403, SecretAccessDeniedException.class,
      404, SecretNotFoundException.class,
      405, InvalidSecretRefException.class,
      412, ProviderUnavailableException.class,
      413, SecretException.class,
      429, ProviderUnavailableException.class,
      500, ProviderUnavailableException.class,
      502, ProviderUnavailableException.class,
      503, ProviderUnavailableException.class);

  @Test
  void fetch_documentedErrorBodyAtEachDocumentedStatus_mapsToCoreException() {
    VaultSpecs.assumeAvailable();
    String body = VaultSpecs.errorBody().toString();
    List<Integer> statuses = VaultSpecs.documentedStatuses();
    assertThat(statuses).contains(400, 403, 404, 405, 429, 500, 502, 503);
    for (int status : statuses) {
      if (status < 400) {
        continue;
      }
      h.vault.on("GET", "secret/data/s" + status, "kv-v2-read", status, body);
    }
    VaultSecretProvider vault = h.provider();
    for (int status : statuses) {
      if (status < 400) {
        continue;
      }
      Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/s" + status + "#k"), CTX)));
      assertThat(t).as("HTTP %d", status).isExactlyInstanceOf(EXPECTED.get(status));
      assertThat(t.getMessage()).contains("vault://secret/s" + status);
      if (status != 404) {
        assertThat(t.getMessage()).contains("HTTP " + status).contains("\"message\"; \"another message\"");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {412, 429, 500, 502, 503})
  void fetch_transientStatusWithRetryAfter_carriesRetryAfter(int status) {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", r -> new MockResponse.Builder().code(status)
        .addHeader("Retry-After", "17").addHeader("Content-Type", "application/json")
        .body("{\"errors\":[\"Vault is sealed\"]}").build());
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)));

    assertThat(t).isInstanceOfSatisfying(ProviderUnavailableException.class,
        e -> assertThat(e.retryAfter()).contains(Duration.ofSeconds(17)));
    assertThat(t).hasMessageContaining("Vault is sealed");
  }

  @Test
  void fetch_codeWithoutBody_mapsOnStatusAlone() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", r -> new MockResponse.Builder().code(502).body("<html>bad gateway</html>").build());
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("HTTP 502")
        .hasMessageNotContaining("html");
  }

  @Test
  void fetch_errorTextEchoingTokenAndValue_isScrubbed() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", 400, "{\"errors\":[\"bad token " + CANARY_TOKEN
        + " for value " + CANARY_VALUE + "\",\"second\\u0007\\nline\",\"3\",\"4\",\"5\"]}");
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)));

    assertThat(t).isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("bad token ****")
        .hasMessageContaining("(2 more)").hasMessageNotContaining("\u0007");
    VaultHarness.assertNoCanary(t);
  }

  @Test
  void fetch_malformedJsonOn200_throwsUnavailableWithoutBody() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", r -> new MockResponse.Builder().code(200)
        .body("{\"data\":{\"data\":{\"k\":\"" + CANARY_VALUE).build());
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("not valid JSON").hasNoCause();
  }

  @Test
  void fetch_wrongShapeOn200_throwsUnavailable() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", 200, "{\"data\":{\"data\":\"" + CANARY_VALUE + "\"}}");
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("malformed");
  }

  @Test
  void fetch_responseLargerThanLimit_throwsUnavailable() {
    String big = "{\"data\":{\"data\":{\"k\":\"" + "a".repeat(4096) + "\"}}}";
    h.vault.on("GET", "secret/data/x", "kv-v2-read", 200, big);
    VaultSecretProvider vault = h.provider(h.options().maxResponseBytes(2048).build());

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("exceeds 2048 bytes");
  }

  @Test
  void fetch_redirectToAnotherHost_notFollowedAndTokenNeverSent() {
    elsewhere.setDispatcher(new mockwebserver3.QueueDispatcher());
    h.vault.on("GET", "secret/data/x", "kv-v2-read", r -> new MockResponse.Builder().code(307)
        .addHeader("Location", elsewhere.url("/v1/secret/data/x").toString().replace("127.0.0.1", "localhost")).build());
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("another host");
    assertThat(elsewhere.getRequestCount()).isZero();
  }

  @Test
  void fetch_redirectToSameOrigin_isFollowed() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", r -> new MockResponse.Builder().code(307)
        .addHeader("Location", "/v1/secret/data/y").build());
    h.vault.on("GET", "secret/data/y", "kv-v2-read", 200, "{\"data\":{\"data\":{\"k\":\"v\"},\"metadata\":{\"version\":1}}}");
    VaultSecretProvider vault = h.provider();

    assertThat(VaultHarness.text(h.fetch(vault, ref("vault://secret/x#k"), CTX).value())).isEqualTo("v");
    assertThat(h.vault.requests().get(h.vault.requests().size() - 1).getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN);
  }

  @Test
  void fetch_connectionRefused_throwsUnavailable() throws Exception {
    MockWebServer dead = new MockWebServer();
    dead.start();
    String address = dead.url("/").toString();
    dead.close();
    VaultSecretProvider vault = h.provider(h.options().address(address).build());

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("failed");
  }

  @Test
  void options_plainHttpToRemoteHost_refusedUnlessAllowed() {
    assertThatThrownBy(() -> VaultOptions.builder().address("http://vault.example.com:8200").build())
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("plain http");
    assertThat(VaultOptions.builder().address("http://vault.example.com:8200").allowInsecureHttp(true).build().address().getHost())
        .isEqualTo("vault.example.com");
    assertThatThrownBy(() -> VaultOptions.builder().address("https://user:pw@vault.example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    assertThatThrownBy(() -> VaultOptions.builder().connectTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
    assertThat(VaultOptions.ofDefaults().address().toString()).isEqualTo("https://127.0.0.1:8200");
  }

  @Test
  void close_afterUse_shutsDownOkHttpAndRefusesFurtherFetches() {
    h.vault.on("GET", "secret/data/x", "kv-v2-read", 200, "{\"data\":{\"data\":{\"k\":\"v\"},\"metadata\":{\"version\":1}}}");
    VaultSecretProvider vault = h.provider();
    h.fetch(vault, ref("vault://secret/x#k"), CTX);
    OkHttpClient http = vault.transport().okHttp();

    vault.close();
    vault.close();

    assertThat(http.dispatcher().executorService().isShutdown()).isTrue();
    assertThat(http.connectionPool().connectionCount()).isZero();
    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/x#k"), CTX)).isInstanceOf(IllegalStateException.class);
    // a configured token is not the provider's to revoke
    assertThat(h.vault.count("POST", "auth/token/revoke-self")).isZero();
  }
}
