package io.secretsdk.vault;

import static io.secretsdk.vault.VaultHarness.CANARY_VALUE;
import static io.secretsdk.vault.VaultHarness.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.secretsdk.InvalidSecretRefException;
import io.secretsdk.SecretVersionConflictException;
import java.nio.charset.StandardCharsets;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
final class VaultWriteTest {
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

  private JsonNode lastPost() throws Exception {
    RecordedRequest post = h.vault.requests().stream().filter(r -> r.getMethod().equals("POST")).reduce((a, b) -> b).orElseThrow();
    return VaultSpecs.JSON.readTree(post.getBody().toByteArray());
  }

  private String writeResponse(int version) {
    if (VaultSpecs.available()) {
      JsonNode sample = VaultSpecs.example("secret-kv-v2.json", "Create/Update secret", "sample_response");
      ((com.fasterxml.jackson.databind.node.ObjectNode) sample.get("data")).put("version", version);
      return sample.toString();
    }
    return "{\"data\":{\"created_time\":\"2026-01-01T00:00:00Z\",\"deletion_time\":\"\",\"destroyed\":false,\"version\":" + version + "}}";
  }

  @Test
  void write_wholeObjectWithExpectedVersion_sendsCasAndReturnsNewVersion() throws Exception {
    h.vault.on("POST", "secret/data/app", "kv-v2-write", 200, writeResponse(4));
    VaultSecretProvider vault = h.provider();

    String v = h.write(vault, ref("vault://secret/app"), ("{\"api_key\":\"" + CANARY_VALUE + "\"}").getBytes(StandardCharsets.UTF_8), "3");

    assertThat(v).isEqualTo("4");
    JsonNode body = lastPost();
    assertThat(body.at("/options/cas").asLong()).isEqualTo(3);
    assertThat(body.at("/data/api_key").asText()).isEqualTo(CANARY_VALUE);
  }

  @Test
  void write_withoutExpectedVersion_sendsNoOptions() throws Exception {
    h.vault.on("POST", "secret/data/app", "kv-v2-write", 200, writeResponse(1));
    VaultSecretProvider vault = h.provider();

    h.write(vault, ref("vault://secret/app"), "{\"k\":\"v\"}".getBytes(StandardCharsets.UTF_8), null);

    assertThat(lastPost().has("options")).isFalse();
  }

  @Test
  void write_casMismatchFromVault_throwsVersionConflict() {
    h.vault.on("POST", "secret/data/app", "kv-v2-write", 400,
        "{\"errors\":[\"check-and-set parameter did not match the current version\"]}");
    VaultSecretProvider vault = h.provider();

    Throwable t = h.check(catchThrowable(() ->
        h.write(vault, ref("vault://secret/app"), ("{\"k\":\"" + CANARY_VALUE + "\"}").getBytes(StandardCharsets.UTF_8), "2")));

    assertThat(t).isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("check-and-set");
  }

  @Test
  void write_field_readsMergesAndWritesWithCasOfVersionRead() throws Exception {
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 200,
        "{\"data\":{\"data\":{\"user\":\"app\",\"api_key\":\"old\"},\"metadata\":{\"version\":5}}}");
    h.vault.on("POST", "secret/data/app", "kv-v2-write", 200, writeResponse(6));
    VaultSecretProvider vault = h.provider();

    String v = h.write(vault, ref("vault://secret/app#api_key"), CANARY_VALUE.getBytes(StandardCharsets.UTF_8), null);

    assertThat(v).isEqualTo("6");
    JsonNode body = lastPost();
    assertThat(body.at("/options/cas").asLong()).isEqualTo(5);
    assertThat(body.at("/data/user").asText()).isEqualTo("app");
    assertThat(body.at("/data/api_key").asText()).isEqualTo(CANARY_VALUE);
  }

  @Test
  void write_fieldWithStaleExpectedVersion_throwsConflictWithoutWriting() {
    h.vault.on("GET", "secret/data/app", "kv-v2-read", 200, "{\"data\":{\"data\":{\"k\":\"v\"},\"metadata\":{\"version\":5}}}");
    VaultSecretProvider vault = h.provider();

    assertThatThrownBy(() -> h.write(vault, ref("vault://secret/app#k"), "x".getBytes(StandardCharsets.UTF_8), "4"))
        .isInstanceOf(SecretVersionConflictException.class).hasMessageContaining("current version is 5");
    assertThat(h.vault.count("POST", "secret/data/app")).isZero();
  }

  @Test
  void write_fieldOnNewSecret_createsWithCasZero() throws Exception {
    h.vault.on("GET", "secret/data/new", "kv-v2-read", 404, "{\"errors\":[]}");
    h.vault.on("POST", "secret/data/new", "kv-v2-write", 200, writeResponse(1));
    VaultSecretProvider vault = h.provider();

    assertThat(h.write(vault, ref("vault://secret/new#k"), "v".getBytes(StandardCharsets.UTF_8), "0")).isEqualTo("1");
    assertThat(lastPost().at("/options/cas").asLong()).isZero();
  }

  @Test
  void write_badInput_rejectedBeforeAnyCall() {
    VaultSecretProvider vault = h.provider(h.options().mount("legacy", MountKind.KV_V1).build());
    byte[] notJson = CANARY_VALUE.getBytes(StandardCharsets.UTF_8);

    assertThatThrownBy(() -> h.write(vault, ref("vault://secret/app"), notJson, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JSON object").hasMessageNotContaining(CANARY_VALUE);
    assertThatThrownBy(() -> h.write(vault, ref("vault://secret/app#k"), new byte[] {(byte) 0xff}, null))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
    assertThatThrownBy(() -> h.write(vault, ref("vault://secret/app"), notJson, "-1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> h.write(vault, ref("vault://secret/app?version=2"), notJson, null)).isInstanceOf(InvalidSecretRefException.class);
    assertThatThrownBy(() -> h.write(vault, ref("vault://legacy/app"), notJson, null)).isInstanceOf(UnsupportedOperationException.class);
    assertThat(h.vault.count("POST", "secret/data/app")).isZero();
  }
}
