package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.prod;
import static io.secretsdk.platform.Harness.ref;
import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretConfigException;
import io.secretsdk.SecretException;
import java.time.Duration;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A server that misbehaves on purpose: every answer is built around canaries (the value, the
 * identity token, the access token the provider holds), and every outcome must be a typed
 * exception whose message, causes and the DEBUG log hold none of them.
 */
@Timeout(30)
final class PlatformHostileServerTest {
  private static final String NAME = "payments/prod/stripe/api-key";
  private static final String REF = "secret://" + NAME;

  @StartStop private final MockWebServer server = new MockWebServer();
  @StartStop private final MockWebServer elsewhere = new MockWebServer();
  private Harness h;
  private Leaks leaks;
  private String value;

  @BeforeEach
  void setUp() {
    h = new Harness(server);
    leaks = new Leaks();
    value = leaks.canary("value");
    leaks.watch("identity", h.identityToken);
  }

  @AfterEach
  void tearDown() {
    h.close();
    h.platform.issued.forEach(t -> leaks.watch("token-" + Integer.toHexString(t.hashCode()), t));
    leaks.assertLogsClean();
    leaks.close();
  }

  /** The access token the provider sent last (the server echoes it back in some faults). */
  private String lastBearer() {
    return h.platform.requests.stream().map(r -> r.getHeaders().get("Authorization")).filter(a -> a != null)
        .reduce((a, b) -> b).map(a -> a.substring(7)).orElse("none");
  }

  enum Fault {
    ERROR_ECHOES_TOKEN_AND_VALUE(500, ProviderUnavailableException.class),
    DENIED_ECHOES_TOKEN(403, SecretAccessDeniedException.class),
    BAD_REQUEST_ECHOES_VALUE(400, io.secretsdk.InvalidSecretRefException.class),
    RATE_LIMITED(429, ProviderUnavailableException.class),
    TEAPOT(418, SecretException.class);

    final int status;
    final Class<? extends Throwable> type;

    Fault(int status, Class<? extends Throwable> type) {
      this.status = status;
      this.type = type;
    }
  }

  static Stream<Arguments> faults() {
    return Stream.of(Fault.values()).map(Arguments::of);
  }

  @ParameterizedTest
  @MethodSource("faults")
  void errorBodyEchoingCredentials_isTypedAndScrubbed(Fault fault) {
    h.platform.on("GET", secretPath(NAME), r -> FakePlatform.json(fault.status, "{\"error\":\"denied "
        + r.getHeaders().get("Authorization") + " for " + h.identityToken + "\",\"message\":\"value was " + value
        + "\",\"errors\":[\"x-" + r.getHeaders().get("Authorization").substring(7) + "\"]}"));

    Throwable t = catchThrowable(() -> h.provider().fetch(ref(REF), prod()));

    assertThat(t).isInstanceOf(fault.type).hasMessageContaining("HTTP " + fault.status);
    leaks.watch("bearer", lastBearer());
    leaks.assertAbsent(t);
  }

  @Test
  void retryAfter_isPassedOnAndBounded() {
    h.platform.on("GET", secretPath(NAME), r -> new MockResponse.Builder().code(503).addHeader("Retry-After", "7").build());
    PlatformSecretProvider p = h.provider();
    Throwable t = catchThrowable(() -> p.fetch(ref(REF), prod()));
    assertThat(((ProviderUnavailableException) t).retryAfter()).contains(Duration.ofSeconds(7));

    h.platform.on("GET", secretPath(NAME), r -> new MockResponse.Builder().code(429)
        .addHeader("Retry-After", "999999999").build());
    t = catchThrowable(() -> p.fetch(ref(REF), prod()));
    assertThat(((ProviderUnavailableException) t).retryAfter()).contains(Duration.ofDays(1));
  }

  @Test
  void redirectToAnotherHost_isNotFollowedAndTheTokenStaysHome() {
    h.platform.on("GET", secretPath(NAME), r -> new MockResponse.Builder().code(307)
        .addHeader("Location", elsewhere.url("/steal").toString()).build());

    Throwable t = catchThrowable(() -> h.provider().fetch(ref(REF), prod()));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("redirected")
        .hasMessageContaining("not followed");
    assertThat(elsewhere.getRequestCount()).isZero();
    leaks.assertAbsent(t);
  }

  @Test
  void redirectOfTheExchange_isNotFollowedSoTheIdentityTokenStaysHome() {
    h.platform.exchangeFailure = new MockResponse.Builder().code(308)
        .addHeader("Location", elsewhere.url("/auth/oidc/exchange").toString()).build();

    assertThatThrownBy(() -> h.provider().fetch(ref(REF), prod())).isInstanceOf(ProviderUnavailableException.class);

    assertThat(elsewhere.getRequestCount()).isZero();
  }

  @Test
  void redirectWithinTheSameHost_isNotFollowedEither() {
    h.platform.on("GET", secretPath(NAME), r -> new MockResponse.Builder().code(302).addHeader("Location", "/other").build());

    assertThatThrownBy(() -> h.provider().fetch(ref(REF), prod())).isInstanceOf(ProviderUnavailableException.class);
    assertThat(h.platform.to("GET", "/other")).isEmpty();
  }

  @Test
  void hugeBody_isRefusedAtTheBound() {
    StringBuilder big = new StringBuilder("{\"value\":\"");
    big.append("a".repeat(64 * 1024)).append("\"}");
    h.platform.on("GET", secretPath(NAME), 200, big.toString());

    assertThatThrownBy(() -> h.provider(h.options().maxResponseBytes(16 * 1024)).fetch(ref(REF), prod()))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("exceeds 16384 bytes");
  }

  @Test
  void gzipBombWithoutLength_isRefusedAtTheBound() throws Exception {
    Buffer gz = new Buffer();
    try (okio.BufferedSink sink = okio.Okio.buffer(new okio.GzipSink(gz))) {
      sink.writeUtf8("{\"value\":\"").writeUtf8("b".repeat(2 << 20)).writeUtf8("\"}");
    }
    h.platform.on("GET", secretPath(NAME), r -> new MockResponse.Builder().code(200)
        .addHeader("Content-Encoding", "gzip").addHeader("Content-Type", "application/json").body(gz.clone()).build());

    assertThatThrownBy(() -> h.provider().fetch(ref(REF), prod())).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("exceeds");
  }

  @Test
  void notJsonOn200_isTypedWithoutQuotingTheBody() {
    h.platform.on("GET", secretPath(NAME), 200, "<html>login here " + value + "</html>");

    Throwable t = catchThrowable(() -> h.provider().fetch(ref(REF), prod()));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("not valid JSON");
    leaks.assertAbsent(t);
  }

  @Test
  void truncatedJson_isTypedWithoutQuotingTheBody() {
    h.platform.on("GET", secretPath(NAME), 200, "{\"value\":\"" + value);

    Throwable t = catchThrowable(() -> h.provider().fetch(ref(REF), prod()));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class);
    leaks.assertAbsent(t);
  }

  @Test
  void answerAboutAnotherSecretOrEnvironment_isRefused() {
    h.platform.on("GET", secretPath(NAME), 200, "{\"name\":\"payments/prod/other\",\"value\":\"" + value + "\"}");
    PlatformSecretProvider p = h.provider();
    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).hasMessageContaining("'name'");

    h.platform.on("GET", secretPath(NAME), 200, "{\"environment\":\"dev\",\"value\":\"" + value + "\"}");
    assertThatThrownBy(() -> p.fetch(ref(REF), prod())).hasMessageContaining("'environment'");
  }

  @Test
  void hostileVersionAndMetadata_areFingerprintedOrRefused() {
    String hostile = leaks.canary("metadata");
    h.platform.on("GET", secretPath(NAME), 200, "{\"value\":\"v\",\"version\":\"3\",\"metadata\":{\"owner\":\""
        + hostile + "\\n[INFO] fake log line\",\"note\":\"" + value + "\"}}");
    var r = h.provider().fetch(ref(REF), prod());
    assertThat(r.metadata().get("owner")).startsWith("fp:");
    leaks.assertAbsent("metadata", r.metadata().toString());

    h.platform.on("GET", secretPath(NAME), 200, "{\"value\":\"v\",\"version\":\"3\\n4\"}");
    assertThatThrownBy(() -> h.provider().fetch(ref(REF), prod())).hasMessageContaining("'version'");
  }

  @Test
  void plainHttpToAnotherHost_isRefusedAtBuild() {
    assertThatThrownBy(() -> PlatformOptions.builder().baseUrl("http://secrets.example.com")
        .authentication(PlatformAuthentication.oidc(h.source, "github")).build())
        .isInstanceOf(SecretConfigException.class).hasMessageContaining("plain http");
    assertThatThrownBy(() -> PlatformOptions.builder().baseUrl("http://127.attacker.example")
        .authentication(PlatformAuthentication.oidc(h.source, "github")).build())
        .isInstanceOf(SecretConfigException.class);
    assertThatThrownBy(() -> PlatformOptions.builder().baseUrl("https://user:pw@secrets.example.com"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("pw");
    assertThat(PlatformOptions.builder().baseUrl("http://[::1]:8080").authentication(
        PlatformAuthentication.oidc(h.source, "github")).build().baseUrl().getHost()).isEqualTo("[::1]");
  }

  @Test
  void givenHttpClientWhoseInterceptorRewritesTheHost_isRefusedBeforeSending() {
    okhttp3.OkHttpClient rogue = new okhttp3.OkHttpClient.Builder().addInterceptor(chain -> chain.proceed(
        chain.request().newBuilder().url(chain.request().url().newBuilder().host(elsewhere.getHostName())
            .port(elsewhere.getPort()).build()).build())).build();

    assertThatThrownBy(() -> h.provider(h.options().httpClient(rogue)).fetch(ref(REF), prod()))
        .isInstanceOf(ProviderUnavailableException.class);
    assertThat(elsewhere.getRequestCount()).isZero();
  }
}
