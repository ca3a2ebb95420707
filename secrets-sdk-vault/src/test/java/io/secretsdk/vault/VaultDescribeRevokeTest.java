package io.secretsdk.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.ProviderUnavailableException;
import io.secretsdk.SecretAccessDeniedException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.SecretRef;
import io.secretsdk.SecretVersionConflictException;
import io.secretsdk.spi.RevokeRequest;
import io.secretsdk.spi.RevokeResult;
import io.secretsdk.spi.SecretDescription;
import io.secretsdk.spi.SecretVersionInfo;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code describe} from KV v2 metadata and {@code revoke} by KV v2 delete/destroy, replaying the
 * documented metadata answer and hostile ones, with run-time canaries (token, value) checked in
 * every message, description, result and the DEBUG log (raw and through the redacting encoder).
 */
@Timeout(60)
final class VaultDescribeRevokeTest {
  private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");

  @StartStop private final MockWebServer server = new MockWebServer();
  private LeakCheckedClient v;
  private String token;
  private String value;
  private VaultSecretProvider vault;

  @BeforeEach
  void setUp() {
    v = new LeakCheckedClient(server);
    token = v.canaries.make("token", "hvs.");
    value = v.canaries.make("value", "sk-");
    v.vault.on("GET", "auth/token/lookup-self", "token-look-up-self", 200, "{\"data\":{\"ttl\":3600,\"renewable\":false}}");
    vault = VaultSecretProvider.create(v.options(token).mount("secret", MountKind.KV_V2).mount("legacy", MountKind.KV_V1)
        .mount("database", MountKind.GENERIC).clock(Clock.fixed(NOW, ZoneOffset.UTC)).build());
    v.client(vault);
    // the value was resolved in this process before (so registered), as a server echo could only
    // know it from an earlier read; the provider itself never sends it in these calls
    v.vault.on("GET", "secret/data/seen", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"k\":\"" + value + "\"},\"metadata\":{\"version\":1}}}");
    assertThat(v.resolve(v.client(VaultSecretProvider.create(v.options(token).mount("secret", MountKind.KV_V2).build())),
        "vault://secret/seen#k")).isEqualTo(value);
  }

  @AfterEach
  void tearDown() {
    v.close();
  }

  private static SecretRef ref(String s) {
    return SecretRef.parse(s);
  }

  private void metadata(String json) {
    v.vault.on("GET", "secret/metadata/app", "kv-v2-read-metadata", 200, json);
  }

  /** Metadata for versions 1..3, version 3 current, with the given members per version. */
  private void threeVersions(String one, String two, String three) {
    metadata("{\"data\":{\"current_version\":3,\"versions\":{"
        + "\"1\":{\"created_time\":\"2026-01-01T00:00:00Z\"," + one + "},"
        + "\"2\":{\"created_time\":\"2026-02-01T00:00:00Z\"," + two + "},"
        + "\"3\":{\"created_time\":\"2026-03-01T00:00:00Z\"," + three + "}}}}");
  }

  private static final String LIVE = "\"deletion_time\":\"\",\"destroyed\":false";

  private SecretDescription describe(String ref) {
    SecretDescription d = vault.describe(ref(ref));
    v.canaries.assertAbsent("description", d.toString());
    return d;
  }

  private RevokeResult revoke(String ref, RevokeRequest request) {
    RevokeResult r = vault.revoke(ref(ref), request);
    v.canaries.assertAbsent("revoke result", r.toString());
    return r;
  }

  private List<RecordedRequest> sent(String method, String path) {
    return v.vault.requests().stream()
        .filter(r -> r.getMethod().equals(method) && r.getUrl().encodedPath().equals("/v1/" + path))
        .collect(Collectors.toList());
  }

  private static JsonNode body(RecordedRequest r) throws Exception {
    return VaultSpecs.JSON.readTree(r.getBody().toByteArray());
  }

  @Test
  void describe_documentedMetadata_versionsNewestFirstWithTimesAndCustomMetadata() {
    VaultSpecs.assumeAvailable();
    metadata(VaultSpecs.example("secret-kv-v2.json", "Read secret metadata", "sample_response").toString());

    SecretDescription d = describe("vault://secret/app#api_key");

    assertThat(d.ref()).isEqualTo(ref("vault://secret/app"));
    assertThat(d.current()).contains("3");
    assertThat(d.versions()).extracting(SecretVersionInfo::version).containsExactly("3", "2", "1");
    assertThat(d.versions()).allMatch(i -> i.state() == SecretVersionInfo.State.ENABLED && i.stages().isEmpty()
        && i.expires().isEmpty());
    assertThat(d.versions().get(0).created()).contains(Instant.parse("2018-03-22T02:36:43.986212308Z"));
    assertThat(d.metadata()).containsEntry("custom_metadata.foo", "abc").containsEntry("custom_metadata.bar", "123")
        .containsEntry("delete_version_after", "3h25m19s").containsEntry("cas_required", "false")
        .containsEntry("vault.kv_version", "2");
  }

  @Test
  void describe_deletedDestroyedAndScheduledVersions_statesAndExpiry() {
    threeVersions("\"deletion_time\":\"\",\"destroyed\":true",
        "\"deletion_time\":\"2026-05-01T00:00:00Z\",\"destroyed\":false",
        "\"deletion_time\":\"2026-07-01T00:00:00Z\",\"destroyed\":false");

    SecretDescription d = describe("vault://secret/app");

    assertThat(d.versions()).extracting(SecretVersionInfo::state).containsExactly(SecretVersionInfo.State.ENABLED,
        SecretVersionInfo.State.DISABLED, SecretVersionInfo.State.DESTROYED);
    assertThat(d.versions().get(0).expires()).contains(Instant.parse("2026-07-01T00:00:00Z"));
    assertThat(d.versions().get(1).expires()).contains(Instant.parse("2026-05-01T00:00:00Z"));
  }

  @Test
  void describe_metadataEchoingTokenAndValue_showsFingerprintsOnly() {
    metadata("{\"data\":{\"current_version\":1,\"updated_time\":\"" + token + "\",\"custom_metadata\":{"
        + "\"owner\":\"" + value + "\",\"" + token + "\":\"x\",\"note\":\"a\\nFAKE LOG LINE " + value + "\"},"
        + "\"versions\":{\"1\":{\"created_time\":\"" + value + "\"," + LIVE + "},\"" + value + "\":{" + LIVE + "}}}}");

    SecretDescription d = describe("vault://secret/app");

    assertThat(d.versions()).extracting(SecretVersionInfo::version).containsExactly("1");
    assertThat(d.versions().get(0).created()).isEmpty();
    assertThat(d.metadata().get("custom_metadata.owner")).startsWith("fp:");
    assertThat(d.metadata().get("custom_metadata.note")).startsWith("fp:");
    assertThat(d.metadata().get("updated_time")).startsWith("fp:");
  }

  @Test
  void describe_backendFailures_mapOntoCoreExceptionsWithoutCanaries() {
    String echo = "{\"errors\":[\"permission denied for " + token + " reading " + value + "\"]}";
    v.vault.on("GET", "secret/metadata/denied", "kv-v2-read-metadata", 403, echo);
    v.vault.on("GET", "secret/metadata/down", "kv-v2-read-metadata", 503, echo);
    v.vault.on("GET", "secret/metadata/missing", "kv-v2-read-metadata", 404, "{\"errors\":[]}");
    v.vault.on("GET", "secret/metadata/odd", "kv-v2-read-metadata", 200, "{\"data\":{\"current_version\":\"" + value + "\"}}");

    assertThat(v.failure(() -> vault.describe(ref("vault://secret/denied")))).isInstanceOf(SecretAccessDeniedException.class)
        .hasMessageContaining("metadata read");
    assertThat(v.failure(() -> vault.describe(ref("vault://secret/down")))).isInstanceOf(ProviderUnavailableException.class);
    assertThat(v.failure(() -> vault.describe(ref("vault://secret/missing")))).isInstanceOf(SecretNotFoundException.class)
        .hasMessageContaining("no secret at vault://secret/missing");
    assertThat(v.failure(() -> vault.describe(ref("vault://secret/odd")))).isInstanceOf(ProviderUnavailableException.class)
        .hasMessageContaining("malformed");
  }

  @Test
  void describeAndRevoke_kvV1DynamicOrPinned_clearErrorsBeforeAnyRead() {
    assertThat(v.failure(() -> vault.describe(ref("vault://legacy/app")))).isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("KV v2 mounts only").hasMessageContaining("KV v1");
    assertThat(v.failure(() -> vault.revoke(ref("vault://database/creds/app"), RevokeRequest.disableCurrent())))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("dynamic secrets are leases");
    assertThat(v.failure(() -> vault.describe(ref("vault://secret/app?version=2")))).isInstanceOf(InvalidSecretRefException.class);
    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app"),
        new RevokeRequest(null, RevokeRequest.Mode.SCHEDULE_DELETION, Duration.ofDays(7)))))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("DISABLE").hasMessageContaining("DESTROY");
    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app"), new RevokeRequest("x" + value, RevokeRequest.Mode.DISABLE, null))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive integer");
    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app?version=2"), new RevokeRequest("3", RevokeRequest.Mode.DISABLE, null))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("version 3").hasMessageContaining("version 2");
    assertThat(v.vault.requests()).noneMatch(r -> r.getUrl().encodedPath().contains("/metadata/")
        || r.getUrl().encodedPath().contains("/delete/"));
  }

  @Test
  void revoke_disableCurrent_deletesTheCurrentVersionAndSaysSo() throws Exception {
    threeVersions(LIVE, LIVE, LIVE);
    v.vault.on("POST", "secret/delete/app", "kv-v2-delete-versions", 204, null);

    RevokeResult r = revoke("vault://secret/app#api_key", RevokeRequest.disableCurrent());

    assertThat(r.revokedVersion()).isEqualTo("3");
    assertThat(r.steps()).containsExactly("read metadata of vault://secret/app: current version is 3",
        "deleted version 3 of vault://secret/app (KV v2 soft delete; restorable with undelete)");
    List<RecordedRequest> deletes = sent("POST", "secret/delete/app");
    assertThat(deletes).hasSize(1);
    assertThat(body(deletes.get(0)).toString()).isEqualTo("{\"versions\":[3]}");
    assertThat(sent("PUT", "secret/destroy/app")).isEmpty();
  }

  @Test
  void revoke_destroyNamedVersion_putsDestroyForThatVersionOnly() throws Exception {
    VaultSpecs.assumeAvailable();
    JsonNode doc = VaultSpecs.example("secret-kv-v2.json", "Read secret metadata", "sample_response");
    metadata(doc.toString());
    v.vault.on("PUT", "secret/destroy/app", "kv-v2-destroy-versions", 204, null);

    RevokeResult r = revoke("vault://secret/app", new RevokeRequest("2", RevokeRequest.Mode.DESTROY, null));

    assertThat(r.revokedVersion()).isEqualTo("2");
    assertThat(r.steps()).last().asString().startsWith("destroyed version 2 of vault://secret/app (permanent");
    List<RecordedRequest> destroys = sent("PUT", "secret/destroy/app");
    assertThat(destroys).hasSize(1);
    assertThat(body(destroys.get(0)).path("versions").toString()).isEqualTo("[2]");
    assertThat(sent("POST", "secret/delete/app")).isEmpty();
  }

  @Test
  void revoke_versionPinnedInRef_isTheOneDeleted() throws Exception {
    threeVersions(LIVE, LIVE, LIVE);
    v.vault.on("POST", "secret/delete/app", "kv-v2-delete-versions", 204, null);

    assertThat(revoke("vault://secret/app?version=1", RevokeRequest.disableCurrent()).revokedVersion()).isEqualTo("1");
    assertThat(body(sent("POST", "secret/delete/app").get(0)).toString()).isEqualTo("{\"versions\":[1]}");
  }

  @Test
  void revoke_unknownOrAlreadyGoneVersion_nothingSent() {
    threeVersions("\"deletion_time\":\"\",\"destroyed\":true", "\"deletion_time\":\"2026-05-01T00:00:00Z\",\"destroyed\":false", LIVE);
    ObjectNode empty = VaultSpecs.JSON.createObjectNode();
    v.vault.on("GET", "secret/metadata/empty", "kv-v2-read-metadata", 200,
        "{\"data\":{\"current_version\":0,\"versions\":" + empty + "}}");

    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app"), new RevokeRequest("9", RevokeRequest.Mode.DISABLE, null))))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no version 9").hasMessageContaining("nothing was changed");
    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/empty"), RevokeRequest.disableCurrent())))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no current version");
    assertThat(revoke("vault://secret/app", new RevokeRequest("2", RevokeRequest.Mode.DISABLE, null)).steps())
        .last().asString().contains("already deleted; nothing sent");
    assertThat(revoke("vault://secret/app", new RevokeRequest("1", RevokeRequest.Mode.DESTROY, null)).steps())
        .last().asString().contains("already destroyed; nothing sent");
    assertThat(sent("POST", "secret/delete/app")).isEmpty();
    assertThat(sent("PUT", "secret/destroy/app")).isEmpty();
  }

  @Test
  void revoke_deniedOrFailingBackend_typedErrorSayingWhatChanged() {
    threeVersions(LIVE, LIVE, LIVE);
    String echo = "{\"errors\":[\"1 error occurred: token " + token + " cannot delete " + value + "\"]}";
    v.vault.on("POST", "secret/delete/app", "kv-v2-delete-versions", 403, echo);
    v.vault.on("PUT", "secret/destroy/app", "kv-v2-destroy-versions", 500, echo);

    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app"), RevokeRequest.disableCurrent())))
        .isInstanceOf(SecretAccessDeniedException.class).hasMessageContaining("revocation of version 3")
        .hasMessageContaining("nothing was changed");
    assertThat(v.failure(() -> vault.revoke(ref("vault://secret/app"), new RevokeRequest(null, RevokeRequest.Mode.DESTROY, null))))
        .isInstanceOf(ProviderUnavailableException.class).hasMessageContaining("whether it was applied is unknown")
        .hasMessageNotContaining("nothing was changed");
  }

  @Test
  void write_casRequiredBySecret_conflictSayingToPassTheVersion() {
    v.vault.on("POST", "secret/data/app", "kv-v2-write", 400,
        "{\"errors\":[\"check-and-set parameter required for this call\"]}");

    Throwable t = v.failure(() -> vault.write(ref("vault://secret/app"),
        ("{\"k\":\"" + value + "\"}").getBytes(StandardCharsets.UTF_8), null));

    assertThat(t).isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("pass the expected version");
  }
}
