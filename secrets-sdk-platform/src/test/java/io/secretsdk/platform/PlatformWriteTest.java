package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.PolicyViolationException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretVersionConflictException;
import java.nio.charset.StandardCharsets;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@Timeout(30)
final class PlatformWriteTest {
  private static final String SEED_REF = "secret://enterprise-platform/prod/openai_api_key";

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

  private static PlacementMetadata seedMetadata() {
    return PlacementMetadata.builder().owner("platform-team").source("ci").workflow("deploy").rotationDays(30).build();
  }

  private byte[] bytes() {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void write_sendsTheSeedsBodyWithAWriteScopedToken() throws Exception {
    h.platform.on("POST", "/secrets", 201, "{\"name\":\"enterprise-platform/prod/openai_api_key\",\"version\":\"4\"}");

    String version = h.provider().write(ref(SEED_REF), bytes(), seedMetadata(), null);

    assertThat(version).isEqualTo("4");
    RecordedRequest post = h.platform.to("POST", "/secrets").get(0);
    // the seed's body, byte for byte (its "<encrypted-in-transit>" placeholder is the value sent over TLS)
    assertThat(post.getBody().utf8()).isEqualTo("{\"name\":\"enterprise-platform/prod/openai_api_key\",\"value\":\""
        + value + "\",\"rotation_days\":30,\"metadata\":{\"owner\":\"platform-team\",\"source\":\"ci\","
        + "\"workflow\":\"deploy\"}}");
    assertThat(post.getHeaders().get("Content-Type")).startsWith("application/json");
    assertThat(h.platform.issued).contains(post.getHeaders().get("Authorization").substring(7));
    assertThat(h.platform.to("POST", "/auth/oidc/exchange").get(0).getBody().utf8())
        .isEqualTo("{\"provider\":\"github\",\"token\":\"" + h.identityToken
            + "\",\"scope\":\"write:secrets\",\"environment\":\"prod\"}");
  }

  @Test
  void spiWrite_takesThePlacementOfTheOptions() throws Exception {
    h.platform.on("POST", "/secrets", 201, "{\"version\":2}");

    String version = h.provider(h.options().placement(seedMetadata())).write(ref(SEED_REF), bytes(), null);

    assertThat(version).isEqualTo("2");
    assertThat(FakePlatform.body(h.platform.to("POST", "/secrets").get(0)).at("/metadata/workflow").asText())
        .isEqualTo("deploy");
  }

  @Test
  void write_ownMetadataWinsFieldByFieldOverTheOptions() throws Exception {
    h.platform.on("POST", "/secrets", 201, "{\"version\":\"2\"}");

    h.provider(h.options().placement(seedMetadata()))
        .write(ref(SEED_REF), bytes(), PlacementMetadata.builder().workflow("rotate").build(), null);

    var body = FakePlatform.body(h.platform.to("POST", "/secrets").get(0));
    assertThat(body.at("/metadata/workflow").asText()).isEqualTo("rotate");
    assertThat(body.at("/metadata/owner").asText()).isEqualTo("platform-team");
  }

  static Stream<Arguments> incompleteMetadata() {
    return Stream.of(
        Arguments.of("owner", (UnaryOperator<PlacementMetadata.Builder>) b -> b.source("ci").workflow("w").rotationDays(1)),
        Arguments.of("source", (UnaryOperator<PlacementMetadata.Builder>) b -> b.owner("o").workflow("w").rotationDays(1)),
        Arguments.of("workflow", (UnaryOperator<PlacementMetadata.Builder>) b -> b.owner("o").source("ci").rotationDays(1)),
        Arguments.of("rotation_days", (UnaryOperator<PlacementMetadata.Builder>) b -> b.owner("o").source("ci").workflow("w")));
  }

  @ParameterizedTest
  @MethodSource("incompleteMetadata")
  void write_missingRequiredMetadata_isRefusedBeforeAnyCall(String missing, UnaryOperator<PlacementMetadata.Builder> m) {
    PlatformSecretProvider p = h.provider();

    Throwable t = catchThrowable(() -> p.write(ref(SEED_REF), bytes(), m.apply(PlacementMetadata.builder()).build(), null));

    assertThat(t).isInstanceOf(PolicyViolationException.class).hasMessageContaining(missing)
        .hasMessageContaining("was not written");
    leaks.assertAbsent(t);
    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void spiWrite_withoutAnyPlacement_namesEveryMissingField() {
    Throwable t = catchThrowable(() -> h.provider().write(ref(SEED_REF), bytes(), null));

    assertThat(t).isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("rotation_days, owner, source, workflow");
    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void write_expectedVersion_isSentAndA409IsAConflict() throws Exception {
    h.platform.on("POST", "/secrets", 409, "{\"error\":\"version 3 is not current; value " + value + " not stored\"}");

    Throwable t = catchThrowable(() -> h.provider().write(ref(SEED_REF), bytes(), seedMetadata(), "3"));

    assertThat(t).isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("HTTP 409")
        .hasMessageContaining("not current");
    leaks.assertAbsent(t);
    assertThat(FakePlatform.body(h.platform.to("POST", "/secrets").get(0)).path("expected_version").asText())
        .isEqualTo("3");
  }

  @Test
  void write_refusedByPlacementPolicy_isDenied() {
    h.platform.on("POST", "/secrets", 403, "{\"error\":\"non-human principals may write automation/* only\"}");

    assertThatThrownBy(() -> h.provider().write(ref(SEED_REF), bytes(), seedMetadata(), null))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("automation/*")
        .hasMessageContaining("nothing was changed");
  }

  @Test
  void write_serverErrorOrConnectionLostAfterSending_saysTheOutcomeIsUnknown() {
    h.platform.on("POST", "/secrets", 503, "{\"error\":\"storage timeout after writing " + value + "\"}");
    PlatformSecretProvider p = h.provider();
    Throwable t = catchThrowable(() -> p.write(ref(SEED_REF), bytes(), seedMetadata(), null));
    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("unknown")
        .hasMessageNotContaining("nothing was changed");
    leaks.assertAbsent(t);

    h.platform.on("POST", "/secrets", r -> new MockResponse.Builder()
        .onResponseStart(new SocketEffect.CloseSocket()).build());
    t = catchThrowable(() -> p.write(ref(SEED_REF), bytes(), seedMetadata(), null));
    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("unknown")
        .hasMessageContaining(SEED_REF);
    leaks.assertAbsent(t);
  }

  @Test
  void write_tokenExchangeFails_nothingWasSentAndTheMessageDoesNotClaimOtherwise() {
    h.platform.exchangeFailure = FakePlatform.json(503, null);

    Throwable t = catchThrowable(() -> h.provider().write(ref(SEED_REF), bytes(), seedMetadata(), null));

    assertThat(t).isInstanceOf(ProviderUnavailableException.class).hasMessageNotContaining("unknown");
    assertThat(h.platform.to("POST", "/secrets")).isEmpty();
  }

  @Test
  void write_badInput_isRefusedBeforeAnyCall() {
    PlatformSecretProvider p = h.provider();

    assertThatThrownBy(() -> p.write(ref(SEED_REF + "?version=2"), bytes(), seedMetadata(), null))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("cannot pin");
    assertThatThrownBy(() -> p.write(ref(SEED_REF), new byte[] {(byte) 0xff, (byte) 0xfe}, seedMetadata(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> p.write(ref(SEED_REF), bytes(), seedMetadata(), "3; drop"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expectedVersion");
    assertThatThrownBy(() -> p.write(ref("secret://enterprise-platform/qa/k"), bytes(), seedMetadata(), null))
        .isInstanceOf(InvalidSecretRefException.class);
    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void write_answerWithoutVersion_namesTheField() {
    h.platform.on("POST", "/secrets", 201, "{}");

    assertThatThrownBy(() -> h.provider().write(ref(SEED_REF), bytes(), seedMetadata(), null))
        .hasMessageContaining("'version'");
  }

  @Test
  void placementMetadata_checksEachField() {
    assertThatThrownBy(() -> PlacementMetadata.builder().owner(" ")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("owner");
    assertThatThrownBy(() -> PlacementMetadata.builder().workflow("a\nb")).hasMessageContaining("workflow");
    assertThatThrownBy(() -> PlacementMetadata.builder().rotationDays(0)).hasMessageContaining("rotationDays");
    assertThat(seedMetadata().missing()).isEmpty();
  }
}
