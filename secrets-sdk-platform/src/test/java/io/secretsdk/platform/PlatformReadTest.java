package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.prod;
import static io.secretsdk.platform.Harness.ref;
import static io.secretsdk.platform.Harness.secretPath;
import static io.secretsdk.platform.Harness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.Secret;
import io.secretsdk.SecretsClient;
import io.secretsdk.config.SecretPolicy;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.RunEnvironment;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.spi.FetchContext;
import io.secretsdk.spi.FetchResult;
import java.time.Instant;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
final class PlatformReadTest {
  @StartStop private final MockWebServer server = new MockWebServer();
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
    leaks.assertLogsClean();
    leaks.close();
  }

  private String answer(String name, String version) {
    return "{\"name\":\"" + name + "\",\"environment\":\"prod\",\"version\":\"" + version + "\",\"value\":\"" + value
        + "\",\"created_at\":\"2026-02-11T10:00:00Z\",\"rotation_days\":30,"
        + "\"metadata\":{\"owner\":\"payments-team\",\"source\":\"ci\",\"workflow\":\"deploy\"}}";
  }

  @Test
  void fetch_conventionRef_exchangesTheOidcTokenAsTheSeedShowsThenReadsLatestForTheRefsEnvironment() throws Exception {
    h.platform.on("GET", secretPath("payments/prod/stripe/api-key"), 200, answer("payments/prod/stripe/api-key", "3"));

    FetchResult r = h.provider().fetch(ref("secret://payments/prod/stripe/api-key"), prod());

    assertThat(text(r)).isEqualTo(value);
    assertThat(r.version()).contains("3");
    assertThat(r.createdAt()).contains(Instant.parse("2026-02-11T10:00:00Z"));
    assertThat(r.metadata()).containsEntry("owner", "payments-team").containsEntry("rotation_days", "30")
        .containsEntry("platform.environment", "prod");
    RecordedRequest exchange = h.platform.to("POST", "/auth/oidc/exchange").get(0);
    // byte for byte the seed's body, with the scope of reads
    assertThat(exchange.getBody().utf8()).isEqualTo("{\"provider\":\"github\",\"token\":\"" + h.identityToken
        + "\",\"scope\":\"read:secrets\",\"environment\":\"prod\"}");
    assertThat(exchange.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(exchange.getHeaders().get("Authorization")).isNull();
    RecordedRequest get = h.platform.to("GET", secretPath("payments/prod/stripe/api-key")).get(0);
    assertThat(get.getUrl().queryParameter("environment")).isEqualTo("prod");
    assertThat(get.getUrl().querySize()).isEqualTo(1);
    assertThat(h.platform.issued).contains(get.getHeaders().get("Authorization").substring("Bearer ".length()));
  }

  @Test
  void fetch_twoSegmentRef_takesTheRunEnvironmentOfTheFetch() throws Exception {
    h.platform.on("GET", secretPath("payments/ci/api-key"), 200, "{\"value\":\"" + value + "\",\"version\":7}");

    FetchResult r = h.provider().fetch(ref("secret://payments/api-key"), FetchContext.of(RunEnvironment.CI));

    assertThat(r.version()).contains("7");
    assertThat(h.platform.to("GET", secretPath("payments/ci/api-key")).get(0).getUrl().queryParameter("environment"))
        .isEqualTo("ci");
    assertThat(FakePlatform.body(h.platform.to("POST", "/auth/oidc/exchange").get(0)).path("environment").asText())
        .isEqualTo("ci");
  }

  @Test
  void fetch_configuredEnvironment_winsOverTheRunEnvironmentForRefsWithoutOne() {
    h.platform.on("GET", secretPath("payments/staging/api-key"), 200, "{\"value\":\"v\"}");

    h.provider(h.options().environment("staging")).fetch(ref("secret://payments/api-key"), prod());

    assertThat(h.platform.to("GET", secretPath("payments/staging/api-key"))).hasSize(1);
  }

  @Test
  void fetch_versionPin_asksForThatVersionAndRefusesAnAnswerWithAnother() {
    String path = secretPath("payments/prod/stripe/api-key");
    h.platform.on("GET", path, r -> FakePlatform.json(200,
        answer("payments/prod/stripe/api-key", r.getUrl().queryParameter("version").equals("2") ? "2" : "3")));
    PlatformSecretProvider p = h.provider();

    assertThat(p.fetch(ref("secret://payments/prod/stripe/api-key?version=2"), prod()).version()).contains("2");
    assertThat(h.platform.to("GET", path).get(0).getUrl().queryParameter("version")).isEqualTo("2");

    Throwable t = catchThrowable(() -> p.fetch(ref("secret://payments/prod/stripe/api-key?version=5"), prod()));
    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("'version'")
        .hasMessageContaining("pins");
    leaks.assertAbsent(t);
  }

  @Test
  void fetch_throughAClientWhosePolicyRequiresTheSeedsMetadata_passesOnlyWhenTheSecretCarriesIt() {
    String ok = secretPath("payments/prod/stripe/api-key");
    h.platform.on("GET", ok, 200, answer("payments/prod/stripe/api-key", "3"));
    h.platform.on("GET", secretPath("payments/prod/bare"), 200, "{\"value\":\"" + value
        + "\",\"metadata\":{\"owner\":\"payments-team\",\"version\":\"99\"}}");
    SecretPolicy policy = SecretPolicy.parse("{\"version\":1,\"allowed_secrets\":[],\"allowed_refs\":[\"secret://payments/**\"],"
        + "\"required_metadata\":[\"owner\",\"source\",\"workflow\"]}", "test-policy");

    try (SecretsClient client = SecretsClient.builder().provider(h.provider()).policy(policy)
        .environment(RunEnvironment.PROD).build()) {
      try (Secret s = client.resolve("secret://payments/prod/stripe/api-key")) {
        assertThat(s.reveal()).isEqualTo(value);
      }
      Throwable t = catchThrowable(() -> client.resolve("secret://payments/prod/bare"));
      assertThat(t).isInstanceOf(PolicyViolationException.class).hasMessageContaining("source");
      leaks.assertAbsent(t);
    }
  }

  @Test
  void fetch_serverMetadataCannotStandForTheProvidersOwnKeys() {
    h.platform.on("GET", secretPath("payments/prod/k"), 200, "{\"value\":\"v\",\"metadata\":{\"version\":\"99\","
        + "\"platform.environment\":\"dev\",\"owner\":\"o\"}}");

    FetchResult r = h.provider().fetch(ref("secret://payments/prod/k"), prod());

    assertThat(r.metadata()).doesNotContainKey("version").containsEntry("platform.environment", "prod")
        .containsEntry("owner", "o");
    assertThat(r.version()).isEmpty();
  }

  @Test
  void fetch_twice_exchangesOnce() {
    h.platform.on("GET", secretPath("payments/prod/a"), 200, "{\"value\":\"v1\"}");
    h.platform.on("GET", secretPath("payments/prod/b"), 200, "{\"value\":\"v2\"}");
    PlatformSecretProvider p = h.provider();

    p.fetch(ref("secret://payments/prod/a"), prod());
    p.fetch(ref("secret://payments/prod/b"), prod());

    assertThat(h.platform.exchanges.get()).isEqualTo(1);
  }

  @Test
  void fetch_missingSecret_isNotFound() {
    Throwable t = catchThrowable(() -> h.provider().fetch(ref("secret://payments/prod/nope"), prod()));

    assertThat(t).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("secret://payments/prod/nope");
  }

  @ParameterizedTest
  @ValueSource(strings = {"secret://payments", "secret://Payments/prod/key", "secret://payments/qa/key",
      "secret://payments/prod", "secret://payments/prod/key#field", "secret://payments/prod/key?stage=current",
      "secret://payments/prod/key?version=a+b", "secret://payments/prod/ke%24y", "vault://payments/prod/key"})
  void fetch_refBreakingTheNamingConvention_isRefusedBeforeAnyCall(String raw) {
    assertThatThrownBy(() -> h.provider().fetch(ref(raw), prod())).isInstanceOf(InvalidSecretRefException.class);

    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void fetch_unknownEnvironment_saysWhichAreKnown() {
    assertThatThrownBy(() -> h.provider().fetch(ref("secret://payments/qa/key"), prod()))
        .hasMessageContaining("'qa'").hasMessageContaining("prod").hasMessageContaining("<service>/<env>/<secret-name>");
  }

  @Test
  void fetch_answerWithoutValue_namesTheField() {
    h.platform.on("GET", secretPath("payments/prod/k"), 200, "{\"version\":\"1\"}");

    assertThatThrownBy(() -> h.provider().fetch(ref("secret://payments/prod/k"), prod()))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("'value'");
  }
}
