package io.secretsdk.platform;

import static io.secretsdk.platform.Harness.ref;
import static io.secretsdk.platform.Harness.secretPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class PlatformDescribeTest {
  private static final String NAME = "payments/prod/stripe/api-key";
  private static final String REF = "secret://" + NAME;
  private static final String VERSIONS = "{\"name\":\"" + NAME + "\",\"current_version\":\"3\",\"rotation_days\":30,"
      + "\"metadata\":{\"owner\":\"payments-team\",\"source\":\"ci\",\"workflow\":\"deploy\"},\"versions\":["
      + "{\"id\":\"3\",\"state\":\"active\",\"created_at\":\"2026-02-11T10:00:00Z\"},"
      + "{\"id\":\"2\",\"state\":\"active\",\"created_at\":\"2026-01-12T10:00:00Z\",\"expires_at\":\"2026-02-12T10:00:00Z\"},"
      + "{\"id\":1,\"state\":\"revoked\",\"created_at\":\"2025-12-13T10:00:00Z\",\"revoked_at\":\"2026-01-13T10:00:00Z\"}]}";

  @StartStop private final MockWebServer server = new MockWebServer();
  private Harness h;
  private Leaks leaks;

  @BeforeEach
  void setUp() {
    h = new Harness(server);
    leaks = new Leaks();
    leaks.watch("identity", h.identityToken);
  }

  @AfterEach
  void tearDown() {
    h.close();
    leaks.assertLogsClean();
    leaks.close();
  }

  @Test
  void describe_readsTheHistoryNewestFirstWithStatesAndMetadata() {
    h.platform.on("GET", secretPath(NAME, "versions"), 200, VERSIONS);

    SecretDescription d = h.provider().describe(ref(REF));

    assertThat(d.current()).contains("3");
    assertThat(d.versions()).extracting(SecretVersionInfo::version).containsExactly("3", "2", "1");
    assertThat(d.versions()).extracting(SecretVersionInfo::state).containsExactly(SecretVersionInfo.State.ENABLED,
        SecretVersionInfo.State.ENABLED, SecretVersionInfo.State.DISABLED);
    assertThat(d.versions().get(1).expires()).contains(Instant.parse("2026-02-12T10:00:00Z"));
    assertThat(d.versions().get(2).expires()).contains(Instant.parse("2026-01-13T10:00:00Z"));
    assertThat(d.metadata()).containsEntry("owner", "payments-team").containsEntry("rotation_days", "30");
    RecordedRequest get = h.platform.to("GET", secretPath(NAME, "versions")).get(0);
    assertThat(get.getUrl().querySize()).isZero();
  }

  @Test
  void describe_withoutCurrentVersion_takesTheNewestActiveOne() {
    h.platform.on("GET", secretPath(NAME, "versions"), 200,
        "[{\"id\":\"5\",\"state\":\"revoked\"},{\"id\":\"4\"},{\"id\":\"3\"}]");

    assertThat(h.provider().describe(ref(REF)).current()).contains("4");
  }

  @Test
  void describe_malformedHistory_namesTheField() {
    h.platform.on("GET", secretPath(NAME, "versions"), 200, "{\"versions\":[{\"id\":\"3\"},{\"state\":\"active\"}]}");
    assertThatThrownBy(() -> h.provider().describe(ref(REF))).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("'versions[1].id'");
  }

  @Test
  void describe_unknownStateOrBadTime_namesTheField() {
    h.platform.on("GET", secretPath(NAME, "versions"), 200, "{\"versions\":[{\"id\":\"3\",\"state\":\"limbo\"}]}");
    PlatformSecretProvider p = h.provider();
    assertThatThrownBy(() -> p.describe(ref(REF))).hasMessageContaining("'versions[0].state'");

    h.platform.on("GET", secretPath(NAME, "versions"), 200, "{\"versions\":[{\"id\":\"3\",\"created_at\":\"yesterday\"}]}");
    assertThatThrownBy(() -> p.describe(ref(REF))).hasMessageContaining("'versions[0].created_at'");

    h.platform.on("GET", secretPath(NAME, "versions"), 200, "{\"versions\":{}}");
    assertThatThrownBy(() -> p.describe(ref(REF))).hasMessageContaining("'versions'");
  }

  @Test
  void describe_missingSecret_isNotFound() {
    assertThatThrownBy(() -> h.provider().describe(ref(REF))).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void revoke_namedVersion_deletesItWithAWriteScopedToken() throws Exception {
    h.platform.on("DELETE", secretPath(NAME, "versions", "2"), 204, null);

    RevokeResult r = h.provider().revoke(ref(REF), new RevokeRequest("2", RevokeRequest.Mode.DISABLE, null));

    assertThat(r.revokedVersion()).isEqualTo("2");
    assertThat(r.steps()).containsExactly("revoked version 2 of " + REF);
    assertThat(FakePlatform.body(h.platform.to("POST", "/auth/oidc/exchange").get(0)).path("scope").asText())
        .isEqualTo("write:secrets");
  }

  @Test
  void revoke_withoutVersion_looksUpTheCurrentOneFirst() {
    h.platform.on("GET", secretPath(NAME, "versions"), 200, VERSIONS);
    h.platform.on("DELETE", secretPath(NAME, "versions", "3"), 200, "{}");

    RevokeResult r = h.provider().revoke(ref(REF), RevokeRequest.disableCurrent());

    assertThat(r.revokedVersion()).isEqualTo("3");
    assertThat(r.steps()).hasSize(2);
    assertThat(h.platform.requests).extracting(RecordedRequest::getMethod).containsSubsequence("GET", "DELETE");
  }

  @Test
  void revoke_pinnedRef_revokesThePin() {
    h.platform.on("DELETE", secretPath(NAME, "versions", "1"), 204, null);

    assertThat(h.provider().revoke(ref(REF + "?version=1"), RevokeRequest.disableCurrent()).revokedVersion())
        .isEqualTo("1");
  }

  @Test
  void revoke_modesThePlatformLacks_areRefusedBeforeAnyCall() {
    PlatformSecretProvider p = h.provider();

    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest("2", RevokeRequest.Mode.DESTROY, null)))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("DESTROY");
    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION,
        Duration.ofDays(7)))).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest("../x", RevokeRequest.Mode.DISABLE, null)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(h.platform.requests).isEmpty();
  }

  @Test
  void revoke_missingVersion_isNotFoundAndRefusal_isDenied() {
    PlatformSecretProvider p = h.provider();
    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest("9", RevokeRequest.Mode.DISABLE, null)))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 9");

    h.platform.on("DELETE", secretPath(NAME, "versions", "2"), 403, "{\"message\":\"operators only\"}");
    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest("2", RevokeRequest.Mode.DISABLE, null)))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("operators only")
        .hasMessageContaining("nothing was changed");

    h.platform.on("DELETE", secretPath(NAME, "versions", "2"), 500, null);
    assertThatThrownBy(() -> p.revoke(ref(REF), new RevokeRequest("2", RevokeRequest.Mode.DISABLE, null)))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("version 2")
        .hasMessageContaining("unknown");
  }

  @Test
  void audit_asksForTheSecretSubjectAndKeepsOnlyThisSecretsEvents() throws Exception {
    String hostileActor = leaks.canary("actor");
    h.platform.on("GET", "/audit", 200, "{\"events\":["
        + "{\"id\":\"e1\",\"time\":\"2026-02-11T10:00:00Z\",\"action\":\"write\",\"actor\":\"repo:acme/pay:deploy\","
        + "\"secret\":\"" + NAME + "\",\"version\":\"3\",\"environment\":\"prod\",\"outcome\":\"allowed\"},"
        + "{\"id\":\"e2\",\"action\":\"read\",\"secret\":\"payments/prod/other\"},"
        + "{\"id\":\"e3\",\"action\":\"read\",\"actor\":\"" + hostileActor + "\\u0007\",\"name\":\"" + NAME + "\",\"version\":4}]}");

    List<PlatformAuditEvent> events = h.provider().audit(ref(REF));

    assertThat(events).extracting(PlatformAuditEvent::id).containsExactly("e1", "e3");
    PlatformAuditEvent first = events.get(0);
    assertThat(first.at()).contains(Instant.parse("2026-02-11T10:00:00Z"));
    assertThat(first.action()).isEqualTo("write");
    assertThat(first.actor()).isEqualTo("repo:acme/pay:deploy");
    assertThat(first.outcome()).isEqualTo("allowed");
    assertThat(events.get(1).version()).isEqualTo("4");
    assertThat(events.get(1).actor()).startsWith("fp:");
    leaks.assertAbsent("audit events", events.toString());
    RecordedRequest get = h.platform.to("GET", "/audit").get(0);
    assertThat(get.getUrl().queryParameter("subject")).isEqualTo("secret");
    assertThat(get.getUrl().queryParameter("name")).isEqualTo(NAME);
    assertThat(FakePlatform.body(h.platform.to("POST", "/auth/oidc/exchange").get(0)).path("scope").asText())
        .isEqualTo("read:audit");
  }

  @Test
  void audit_isBounded() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < 50; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"id\":\"e").append(i).append("\",\"action\":\"read\"}");
    }
    h.platform.on("GET", "/audit", 200, sb.append("]").toString());

    assertThat(h.provider(h.options().maxAuditEvents(10)).audit(ref(REF))).hasSize(10);
  }

  @Test
  void audit_malformedStream_namesTheField() {
    h.platform.on("GET", "/audit", 200, "{\"events\":[{\"id\":\"e1\",\"time\":42000}]}");
    PlatformSecretProvider p = h.provider();
    assertThatThrownBy(() -> p.audit(ref(REF))).hasMessageContaining("'events[0].time'");

    h.platform.on("GET", "/audit", 200, "{\"items\":[]}");
    assertThatThrownBy(() -> p.audit(ref(REF))).hasMessageContaining("'events'");
  }
}
