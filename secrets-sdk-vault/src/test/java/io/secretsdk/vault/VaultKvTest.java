package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_TOKEN;
import static io.secretsdk.vault.VaultHarness.CANARY_VALUE;
import static io.secretsdk.vault.VaultHarness.CTX;
import static io.secretsdk.vault.VaultHarness.ref;
import static io.secretsdk.vault.VaultHarness.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretNotFoundException;
import io.secretsdk.spi.FetchResult;
import java.time.Duration;
import java.time.Instant;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class VaultKvTest {
  @StartStop private final MockWebServer server = new MockWebServer();
  private VaultHarness h;

  @BeforeEach
  void setUp() {
    h = new VaultHarness(server).lookupSelf(3600, true);
  }

  @AfterEach
  void tearDown() {
    h.close();
  }

  private static String kv2(String dataJson, int version) {
    return "{\"request_id\":\"r\",\"lease_id\":\"\",\"renewable\":false,\"lease_duration\":0,\"data\":{\"data\":" + dataJson
        + ",\"metadata\":{\"created_time\":\"2026-01-02T03:04:05.123456789Z\",\"custom_metadata\":{\"owner\":\"ci\"},"
        + "\"deletion_time\":\"\",\"destroyed\":false,\"version\":" + version + "}},\"wrap_info\":null,\"warnings\":null,\"auth\":null}";
  }

  @Test
  void fetch_kv2DocumentedSample_returnsFieldVersionAndMetadata() {
    VaultSpecs.assumeAvailable();
    JsonNode sample = VaultSpecs.example("secret-kv-v2.json", "Read secret version", "sample_response");
    h.vault.on("GET", "secret/data/my-secret", "kv-v2-read", 200, sample.toString());
    VaultSecretProvider vault = h.provider();

    FetchResult r = h.check(h.fetch(vault, ref("vault://secret/my-secret?version=2#foo"), CTX));

    assertThat(text(r.value())).isEqualTo("bar");
    assertThat(r.version()).contains("2");
    assertThat(r.createdAt()).contains(Instant.parse("2018-03-22T02:24:06.945319214Z"));
    assertThat(r.metadata()).containsEntry("version", "2")
        .containsEntry("created_time", "2018-03-22T02:24:06.945319214Z")
        .containsEntry("custom_metadata.owner", "jdoe")
        .containsEntry("custom_metadata.mission_critical", "false")
        .containsEntry("vault.kv_version", "2");
    RecordedRequest read = h.vault.requests().stream().filter(q -> q.getUrl().encodedPath().contains("/data/")).findFirst().orElseThrow();
    assertThat(read.getUrl().queryParameter("version")).isEqualTo("2");
    assertThat(read.getHeaders().get("X-Vault-Token")).isEqualTo(CANARY_TOKEN);
  }

  @Test
  void fetch_kv2Latest_sendsNoVersionAndReturnsCanaryValue() {
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", 200, kv2("{\"api_key\":\"" + CANARY_VALUE + "\"}", 7));
    VaultSecretProvider vault = h.provider();

    FetchResult r = h.check(h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX));

    assertThat(text(r.value())).isEqualTo(CANARY_VALUE);
    assertThat(r.version()).contains("7");
    assertThat(r.ttl()).isEmpty();
    assertThat(h.vault.requests()).allSatisfy(q -> assertThat(q.getUrl().queryParameter("version")).isNull());
  }

  @Test
  void fetch_kv2WithoutField_returnsWholeDataObjectAsJson() throws Exception {
    h.vault.on("GET", "secret/data/db", "kv-v2-read", 200, kv2("{\"user\":\"app\",\"port\":5432}", 1));
    VaultSecretProvider vault = h.provider();

    FetchResult r = h.fetch(vault, ref("vault://secret/db"), CTX);

    JsonNode json = VaultSpecs.JSON.readTree(r.value());
    assertThat(json.get("user").asText()).isEqualTo("app");
    assertThat(json.get("port").asInt()).isEqualTo(5432);
  }

  @Test
  void fetch_kv2NonStringField_returnsJsonText() {
    h.vault.on("GET", "secret/data/db", "kv-v2-read", 200, kv2("{\"port\":5432}", 1));
    VaultSecretProvider vault = h.provider();

    assertThat(text(h.fetch(vault, ref("vault://secret/db#port"), CTX).value())).isEqualTo("5432");
  }

  @Test
  void fetch_kv2MissingField_throwsNotFoundNamingField() {
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", 200, kv2("{\"api_key\":\"" + CANARY_VALUE + "\"}", 1));
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/openai/ci#other"), CTX)));

    assertThat(t).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("no field 'other'");
  }

  @Test
  void fetch_kv2DeletedVersion_throwsNotFoundSayingDeleted() {
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 404,
        "{\"data\":{\"data\":null,\"metadata\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"custom_metadata\":null,"
            + "\"deletion_time\":\"2026-01-05T00:00:00Z\",\"destroyed\":false,\"version\":3}}}");
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() -> h.fetch(vault, ref("vault://secret/app?version=3#k"), CTX)));

    assertThat(t).isInstanceOf(SecretNotFoundException.class).hasMessageContaining("version 3").hasMessageContaining("deleted");
  }

  @Test
  void fetch_kv2DestroyedVersion_throwsNotFoundSayingDestroyed() {
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 404,
        "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":\"\",\"destroyed\":true,\"version\":2}}}");
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/app"), CTX))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("destroyed");
  }

  @Test
  void fetch_kv2DeletedAnsweredWith200_throwsNotFound() {
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 200,
        "{\"data\":{\"data\":null,\"metadata\":{\"deletion_time\":\"2026-01-05T00:00:00Z\",\"destroyed\":false,\"version\":4}}}");
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/app"), CTX)).isInstanceOf(SecretNotFoundException.class);
  }

  @Test
  void fetch_missingSecretEmptyErrors_throwsNotFound() {
    h.vault.on("GET", "secret/data/nope", "kv-v2-read", 404, "{\"errors\":[]}");
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/nope#k"), CTX))
        .isInstanceOf(SecretNotFoundException.class).hasMessageContaining("vault://secret/nope");
  }

  @Test
  void fetch_kv1DocumentedSample_returnsFieldAndTtl() {
    VaultSpecs.assumeAvailable();
    JsonNode sample = VaultSpecs.example("secret-kv-v1.json", "Read secret", "sample_response");
    h.vault.on("GET", "kv/my-secret", "kv-v1-read", 200, sample.toString());
    VaultSecretProvider vault = h.provider(h.options().mount("kv", MountKind.KV_V1).build());

    FetchResult r = h.fetch(vault, ref("vault://kv/my-secret#foo"), CTX);

    assertThat(text(r.value())).isEqualTo("bar");
    assertThat(r.ttl()).contains(Duration.ofSeconds(3600));
    assertThat(r.metadata()).containsEntry("vault.kv_version", "1");
  }

  @Test
  void fetch_kv1WithVersion_throwsInvalidRef() {
    VaultSecretProvider vault = h.provider(h.options().mount("kv", MountKind.KV_V1).build());

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://kv/app?version=2"), CTX))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("no versions");
    assertThat(h.vault.requests()).isEmpty();
  }

  @Test
  void fetch_detectedKv2Mount_readsDataPathOnceDetected() {
    h.vault.on("GET", "sys/internal/ui/mounts/team/kv/openai/ci", "internal-ui-read-mount-information", 200,
        "{\"data\":{\"path\":\"team/kv/\",\"type\":\"kv\",\"options\":{\"version\":\"2\"}}}");
    h.vault.on("GET", "team/kv/data/openai/ci", "kv-v2-read", 200, kv2("{\"api_key\":\"x-1\"}", 1));
    h.vault.on("GET", "team/kv/data/openai/prod", "kv-v2-read", 200, kv2("{\"api_key\":\"x-2\"}", 1));
    VaultSecretProvider vault = h.provider(h.options().build());

    assertThat(text(h.fetch(vault, ref("vault://team/kv/openai/ci#api_key"), CTX).value())).isEqualTo("x-1");
    assertThat(text(h.fetch(vault, ref("vault://team/kv/openai/prod#api_key"), CTX).value())).isEqualTo("x-2");

    assertThat(h.vault.count("GET", "sys/internal/ui/mounts/team/kv/openai/ci")).isEqualTo(1);
    assertThat(h.vault.requests()).noneMatch(q -> q.getUrl().encodedPath().contains("mounts/team/kv/openai/prod"));
  }

  @Test
  void fetch_detectionAnswers404_readsAsKv1() {
    h.vault.on("GET", "sys/internal/ui/mounts/old/app", "internal-ui-read-mount-information", 404, "{\"errors\":[]}");
    h.vault.on("GET", "old/app", "kv-v1-read", 200, "{\"data\":{\"k\":\"v1\"}}");
    VaultSecretProvider vault = h.provider(h.options().build());

    assertThat(text(h.fetch(vault, ref("vault://old/app#k"), CTX).value())).isEqualTo("v1");
  }

  @Test
  void fetch_detectionDocumentedSampleWithoutEnvelope_treatsCubbyholeAsGeneric() {
    VaultSpecs.assumeAvailable();
    JsonNode sample = VaultSpecs.example("sys-internal-ui-mounts.json", "Get single mount details", "sample_response");
    h.vault.on("GET", "sys/internal/ui/mounts/cubbyhole/app", "internal-ui-read-mount-information", 200, sample.toString());
    h.vault.on("GET", "cubbyhole/app", "kv-v1-read", 200, "{\"data\":{\"k\":\"c\"}}");
    // cubbyhole is one of Vault's own paths: refused unless allowed
    VaultSecretProvider vault = h.provider(h.options().allowMount("cubbyhole").build());

    FetchResult r = h.fetch(vault, ref("vault://cubbyhole/app#k"), CTX);

    assertThat(text(r.value())).isEqualTo("c");
    assertThat(r.metadata()).containsEntry("vault.mount", "cubbyhole").doesNotContainKey("vault.kv_version");
  }

  @Test
  void fetch_detectionForbidden_fallsBackToDefaultKind() {
    h.vault.on("GET", "sys/internal/ui/mounts/kv/app", "internal-ui-read-mount-information", 403,
        "{\"errors\":[\"permission denied\"]}");
    h.vault.on("GET", "kv/data/app", "kv-v2-read", 200, kv2("{\"k\":\"v\"}", 1));
    VaultSecretProvider vault = h.provider(h.options().build());

    assertThat(text(h.fetch(vault, ref("vault://kv/app#k"), CTX).value())).isEqualTo("v");
  }

  @Test
  void fetch_refNamesOnlyMount_throwsInvalidRef() {
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret"), CTX))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("no secret under it");
  }

  @Test
  void fetch_unknownQueryParameterOrBadVersion_throwsInvalidRefWithoutCallingVault() {
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/a?stage=x"), CTX)).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/a?version=0"), CTX))
        .isInstanceOf(InvalidSecretRefException.class).hasMessageContaining("positive integer");
    assertThatThrownBy(() -> h.fetch(vault, ref("vault://secret/a?version=abc"), CTX)).isInstanceOf(InvalidSecretRefException.class);
    assertThat(h.vault.requests()).isEmpty();
  }

  @Test
  void fetch_namespaceConfigured_sendsNamespaceOnEveryRequest() {
    h.vault.on("GET", "secret/data/a", "kv-v2-read", 200, kv2("{\"k\":\"v\"}", 1));
    VaultSecretProvider vault = h.provider(h.options().namespace("team/ci").build());

    h.fetch(vault, ref("vault://secret/a#k"), CTX);

    assertThat(h.vault.requests()).isNotEmpty()
        .allSatisfy(q -> assertThat(q.getHeaders().get("X-Vault-Namespace")).isEqualTo("team/ci"));
  }

  @Test
  void fetch_encodedSegments_areSentEncodedNotInterpreted() {
    h.vault.on("GET", "secret/data/a b/c", "kv-v2-read", 200, kv2("{\"k\":\"v\"}", 1));
    VaultSecretProvider vault = h.provider();

    h.fetch(vault, ref("vault://secret/a%20b/c#k"), CTX);

    assertThat(h.vault.requests().get(h.vault.requests().size() - 1).getUrl().encodedPath()).isEqualTo("/v1/secret/data/a%20b/c");
  }

  @Test
  void toString_providerAndResult_showNoValueOrToken() {
    h.vault.on("GET", "secret/data/openai/ci", "kv-v2-read", 200, kv2("{\"api_key\":\"" + CANARY_VALUE + "\"}", 7));
    VaultSecretProvider vault = h.provider();
    FetchResult r = h.fetch(vault, ref("vault://secret/openai/ci#api_key"), CTX);

    assertThat(r.toString()).doesNotContain(CANARY_VALUE);
    assertThat(vault.toString()).doesNotContain(CANARY_TOKEN);
    assertThat(vault.options().toString()).doesNotContain(CANARY_TOKEN);
  }

  private static Throwable catchThrowable(org.assertj.core.api.ThrowableAssert.ThrowingCallable c) {
    return org.assertj.core.api.Assertions.catchThrowable(c);
  }
}
